import type { CoreContext } from "../core/core-context.js";
import type { Tx } from "../storage/database.js";
import { errors } from "../errors.js";
import { checkPasswordShape, userIdFromLoginDict, type PasswordChecker } from "./credentials.js";
import type { Requester } from "./requester.js";
import { hashToken, newAccessToken, newDeviceId, newRefreshToken } from "./secrets.js";
import type { DeviceStore } from "../storage/stores/device-store.js";
import type { TokenStore } from "../storage/stores/token-store.js";
import { hasNul, requireStorable } from "./text.js";
import type { AccessTokenAuth } from "./token-auth.js";

export interface IssuedTokens {
  access_token: string;
  device_id: string;
  refresh_token?: string;
  expires_in_ms?: number;
}

export interface SessionRequest {
  userId: string;
  deviceId?: string;
  initialDisplayName?: string;
  /** The client supports refresh tokens: its access token then expires and comes with a refresh token. */
  refreshToken?: boolean;
  ip?: string | null;
}

/** Spec login types this server offers. */
export const LOGIN_FLOWS = [{ type: "m.login.password" }] as const;

const MAX_DEVICE_ID_LENGTH = 255;
const MAX_DEVICE_NAME_LENGTH = 100;

export function checkDeviceDisplayName(name: string): void {
  requireStorable(name, "Device display name");
  if (name.length > MAX_DEVICE_NAME_LENGTH) {
    throw errors.invalidParam(`Device display name is too long (max ${MAX_DEVICE_NAME_LENGTH})`);
  }
}

/** Logging in and out: devices and the access/refresh tokens bound to them. */
export class SessionService {
  constructor(
    private readonly core: CoreContext,
    private readonly devices: DeviceStore,
    private readonly tokens: TokenStore,
    private readonly passwords: PasswordChecker,
    private readonly auth: AccessTokenAuth,
  ) {}

  /**
   * Within `tx`: creates the device (or reuses the user's device of that id, whose earlier tokens are
   * replaced, as the spec permits) and issues its tokens. Call `afterSessionCommit` once `tx` commits.
   */
  async createSession(tx: Tx, request: SessionRequest): Promise<IssuedTokens> {
    const deviceId = request.deviceId ?? newDeviceId();
    if (deviceId === "" || deviceId.length > MAX_DEVICE_ID_LENGTH || hasNul(deviceId)) throw errors.invalidParam("Invalid device_id");
    if (request.initialDisplayName !== undefined) checkDeviceDisplayName(request.initialDisplayName);
    const now = this.core.clock.now();
    await this.devices.ensure(tx, {
      userId: request.userId,
      deviceId,
      displayName: request.initialDisplayName ?? null,
      ts: now,
      ip: request.ip ?? null,
    });
    await this.tokens.deleteForDevices(tx, request.userId, [deviceId]);
    const issued = await this.issueTokens(tx, request.userId, deviceId, request.refreshToken === true, now);
    this.core.database.onCommit(tx, () => this.auth.forgetUser(request.userId));
    return issued;
  }

  /** POST /login with m.login.password. */
  async login(body: Record<string, unknown>, ip: string | null): Promise<IssuedTokens & { user_id: string }> {
    if (body.type !== "m.login.password") throw errors.unknown("Unknown login type");
    const userId = userIdFromLoginDict(body, this.core.serverName);
    const password = checkPasswordShape(body.password);
    const user = await this.passwords.check(userId, password);
    const issued = await this.core.database.transaction((tx) =>
      this.createSession(tx, {
        userId: user.userId,
        deviceId: body.device_id as string | undefined,
        initialDisplayName: body.initial_device_display_name as string | undefined,
        refreshToken: body.refresh_token === true,
        ip,
      }),
    );
    return { user_id: user.userId, ...issued };
  }

  /**
   * POST /refresh: exchanges a refresh token, once, for a new access and refresh token. The access token it
   * was issued with is revoked, so a device never holds more than one live pair.
   */
  async refresh(refreshToken: string): Promise<Required<Omit<IssuedTokens, "device_id">>> {
    const refreshHash = hashToken(refreshToken);
    const now = this.core.clock.now();
    const { issued, userId } = await this.core.database.transaction(async (tx) => {
      const owner = await this.tokens.consumeRefreshToken(tx, refreshHash, now);
      if (!owner) throw errors.unknownToken("Unknown refresh token");
      await this.tokens.deleteAccessTokensOfRefreshToken(tx, refreshHash);
      return { issued: await this.issueTokens(tx, owner.userId, owner.deviceId, true, now), userId: owner.userId };
    });
    this.auth.forgetUser(userId);
    return { access_token: issued.access_token, refresh_token: issued.refresh_token!, expires_in_ms: issued.expires_in_ms! };
  }

  /** POST /logout: the spec deletes the token's device along with it (and so every token of that device). */
  async logout(requester: Requester): Promise<void> {
    await this.core.database.transaction(async (tx) => {
      await this.tokens.deleteForDevices(tx, requester.userId, [requester.deviceId]);
      await this.devices.delete(tx, requester.userId, [requester.deviceId]);
    });
    this.auth.forgetUser(requester.userId);
  }

  /** POST /logout/all: every token and device of the user. */
  async logoutAll(requester: Requester): Promise<void> {
    await this.core.database.transaction(async (tx) => {
      await this.tokens.deleteForUser(tx, requester.userId, null);
      await this.devices.deleteAllExcept(tx, requester.userId, null);
    });
    this.auth.forgetUser(requester.userId);
  }

  private async issueTokens(tx: Tx, userId: string, deviceId: string, withRefresh: boolean, now: number): Promise<IssuedTokens> {
    const accessToken = newAccessToken();
    const refreshToken = withRefresh ? newRefreshToken() : undefined;
    const refreshHash = refreshToken ? hashToken(refreshToken) : null;
    const lifetime = this.core.config.access_token_lifetime_ms;
    if (refreshToken) {
      await this.tokens.insertRefreshToken(tx, { tokenHash: refreshHash!, userId, deviceId, createdTs: now });
    }
    await this.tokens.insertAccessToken(tx, {
      tokenHash: hashToken(accessToken),
      userId,
      deviceId,
      createdTs: now,
      // Only clients that can refresh get expiring tokens; the others would simply be logged out.
      expiresTs: refreshToken ? now + lifetime : null,
      refreshTokenHash: refreshHash,
    });
    return refreshToken
      ? { access_token: accessToken, device_id: deviceId, refresh_token: refreshToken, expires_in_ms: lifetime }
      : { access_token: accessToken, device_id: deviceId };
  }
}
