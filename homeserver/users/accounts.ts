import type { KeyBackupStore } from "../storage/stores/key-backup-store.js";
import type { CrossSigningStore } from "../storage/stores/cross-signing-store.js";
import type { CoreContext } from "../core/core-context.js";
import { errors, isMatrixError } from "../errors.js";
import { isGuestLocalpart, newGuestLocalpart } from "./guests/guest-ids.js";
import type { Tx } from "../storage/database.js";
import { checkPasswordShape } from "./credentials.js";
import { hashPassword } from "./passwords.js";
import type { Requester } from "./requester.js";
import { newLocalpart } from "./secrets.js";
import type { IssuedTokens, SessionService } from "./sessions.js";
import type { AccountDataStore } from "../storage/stores/account-data-store.js";
import type { DeviceStore } from "../storage/stores/device-store.js";
import type { RegistrationTokenStore } from "../storage/stores/registration-token-store.js";
import type { TokenStore } from "../storage/stores/token-store.js";
import type { UserStore } from "../storage/stores/user-store.js";
import type { AccessTokenAuth } from "./token-auth.js";
import { hasNul, requireStorable } from "./text.js";
import type { UiaService } from "./uia.js";
import { checkNewLocalpart, userIdOf } from "./user-ids.js";
import type { UserHooks } from "./user-hooks.js";

export const REGISTRATION_TOKEN_STAGE = "m.login.registration_token";

export interface RegisterBody {
  auth?: unknown;
  username?: string;
  password?: string;
  device_id?: string;
  initial_device_display_name?: string;
  inhibit_login?: boolean;
  refresh_token?: boolean;
  /** A guest's access token: the registration upgrades that guest, keeping its user id. */
  guest_access_token?: string;
}

export type RegisterResult = { user_id: string; home_server: string } & Partial<IssuedTokens>;

/** What a registration's UIA session keeps from its requests (undefined: not sent yet). */
interface KeptRegistrationParams {
  localpart?: string;
  passwordHash?: string;
  deviceId?: string;
  initialDisplayName?: string;
  inhibitLogin?: boolean;
  refreshToken?: boolean;
  /** The guest this registration upgrades to a full account. */
  guestUserId?: string;
}

export interface NewAccount {
  localpart: string;
  password: string | null;
  admin?: boolean;
  displayname?: string;
  /** Already hashed: registration hashes on the first request, so its UIA session never holds the password. */
  passwordHash?: string;
  /** Counted as used in the same transaction that creates the account. */
  registrationToken?: string;
  session?: Omit<Parameters<SessionService["createSession"]>[1], "userId">;
  /** A guest account (kind=guest): a generated all-digit localpart and no password. */
  isGuest?: boolean;
}

/** Accounts: registration, password changes, deactivation. */
export class AccountService {
  constructor(
    private readonly core: CoreContext,
    private readonly stores: {
      users: UserStore;
      devices: DeviceStore;
      tokens: TokenStore;
      accountData: AccountDataStore;
      registrationTokens: RegistrationTokenStore;
      /** Deactivation deletes the user's key backups, as Synapse does. */
      keyBackup?: Pick<KeyBackupStore, "deleteAllForUser">;
      /** And their cross-signing keys and signatures (those that name a device go with the device anyway). */
      crossSigning?: Pick<CrossSigningStore, "deleteAllForUser">;
    },
    private readonly sessions: SessionService,
    private readonly uia: UiaService,
    private readonly auth: AccessTokenAuth,
    private readonly hooks: UserHooks,
  ) {}

  /** The localpart a requested username maps to: lower-cased (the spec lets us map), then checked. */
  normaliseUsername(username: string): string {
    const localpart = username.toLowerCase();
    checkNewLocalpart(localpart, this.core.serverName);
    return localpart;
  }

  /** GET /register/available: true, or throws M_INVALID_USERNAME / M_USER_IN_USE. */
  async checkAvailable(username: string): Promise<true> {
    if (!this.core.config.registration.enabled) throw errors.forbiddenRegistration();
    const localpart = this.normaliseUsername(username);
    if (await this.stores.users.localpartTaken(localpart)) throw errors.userInUse();
    return true;
  }

  /** The UIA flows registration offers: a token when the config demands one, else the dummy stage. */
  registrationFlows(): string[][] {
    return this.core.config.registration.require_token ? [[REGISTRATION_TOKEN_STAGE]] : [["m.login.dummy"]];
  }

  /**
   * POST /register. The UIA session keeps the first request's parameters, the password as its hash only, so
   * the request that completes the auth need not repeat them; the same completed session sent again gets the
   * same result (both as Synapse does). kind=guest is guest registration, which Synapse serves whether or not
   * registration is enabled: guest_access.enabled alone decides.
   */
  async register(body: RegisterBody, options: { kind: string; ip: string | null }): Promise<RegisterResult> {
    if (options.kind === "guest") return this.registerGuest(body, options.ip);
    if (!this.core.config.registration.enabled) throw errors.forbiddenRegistration();
    const uiaRequest = { operation: "register", flows: this.registrationFlows() };
    // Before the checks below: the username of an account this session created is taken, by that account.
    const earlier = await this.uia.earlierOutcome<RegisterResult>(body.auth, uiaRequest);
    if (earlier) return earlier;
    // Username and password problems are reported before UIA, so the user is not sent through auth first.
    const guestUserId = body.guest_access_token === undefined ? undefined : await this.guestToUpgrade(body.guest_access_token, body.username);
    const localpart = guestUserId !== undefined ? undefined : body.username === undefined ? undefined : this.normaliseUsername(body.username);
    if (localpart !== undefined && (await this.stores.users.localpartTaken(localpart))) throw errors.userInUse();
    if (body.password !== undefined) checkPasswordShape(body.password);
    const params: KeptRegistrationParams = {
      localpart,
      passwordHash: body.password === undefined ? undefined : await hashPassword(body.password, this.core.config.password_scrypt_log_n),
      deviceId: body.device_id,
      initialDisplayName: body.initial_device_display_name,
      inhibitLogin: body.inhibit_login,
      refreshToken: body.refresh_token,
      guestUserId,
    };
    return this.uia.authenticateOnce(body.auth, { ...uiaRequest, clientParams: { ...params } }, async (completed, kept, keepOutcome) => {
      const registration = kept as KeptRegistrationParams;
      if (registration.passwordHash === undefined) throw errors.missingParam("Missing params: password");
      if (registration.guestUserId !== undefined) {
        const tokens = await this.upgradeGuest(registration.guestUserId, registration, completed.get(REGISTRATION_TOKEN_STAGE) as string | undefined, options.ip);
        return { user_id: registration.guestUserId, home_server: this.core.serverName, ...tokens };
      }
      const account: NewAccount = {
        localpart: registration.localpart ?? (await this.freeLocalpart()),
        password: null,
        passwordHash: registration.passwordHash,
        registrationToken: completed.get(REGISTRATION_TOKEN_STAGE) as string | undefined,
        session: registration.inhibitLogin
          ? undefined
          : { deviceId: registration.deviceId, initialDisplayName: registration.initialDisplayName, refreshToken: registration.refreshToken, ip: options.ip },
      };
      const answer = (userId: string, tokens: IssuedTokens | undefined) => ({ user_id: userId, home_server: this.core.serverName, ...tokens });
      const { userId, tokens } = await this.createAccount(account, (tx, created) => keepOutcome(tx, answer(created.userId, created.tokens)));
      return answer(userId, tokens);
    });
  }

  /**
   * Creates the account (and its first device and tokens, when `session` is given) in one transaction.
   * Shared by /register, shared-secret admin registration and `myelin register-user`.
   */
  async createAccount(
    account: NewAccount,
    /** Runs last in the account's transaction (a registration keeps its answer for the session's retries). */
    alsoInTransaction?: (tx: Tx, created: { userId: string; tokens?: IssuedTokens }) => Promise<void>,
  ): Promise<{ userId: string; tokens?: IssuedTokens }> {
    // All-digit localparts are kept for guests; a guest's is generated, never chosen.
    if (account.isGuest !== true || !isGuestLocalpart(account.localpart)) checkNewLocalpart(account.localpart, this.core.serverName);
    const userId = userIdOf(account.localpart, this.core.serverName);
    if (account.displayname !== undefined) requireStorable(account.displayname, "displayname");
    const passwordHash =
      account.passwordHash ?? (account.password === null ? null : await hashPassword(checkPasswordShape(account.password), this.core.config.password_scrypt_log_n));
    const tokens = await this.core.database.transaction(async (tx) => {
      const inserted = await this.stores.users.insert(tx, {
        userId,
        localpart: account.localpart,
        passwordHash,
        createdTs: this.core.clock.now(),
        isAdmin: account.admin ?? false,
        // Like Synapse, a new account starts with its localpart as display name.
        displayname: account.displayname ?? account.localpart,
        isGuest: account.isGuest === true,
      });
      if (!inserted) throw errors.userInUse();
      await this.consumeRegistrationToken(tx, account.registrationToken);
      const issued = account.session ? await this.sessions.createSession(tx, { ...account.session, userId }) : undefined;
      await alsoInTransaction?.(tx, { userId, tokens: issued });
      return issued;
    });
    return { userId, tokens };
  }

  /**
   * POST /register?kind=guest: no UIA, no password; the account can only ever be used through the tokens it
   * gets now, until it is upgraded (register with guest_access_token).
   */
  private async registerGuest(body: RegisterBody, ip: string | null): Promise<RegisterResult> {
    if (!this.core.config.guest_access.enabled) throw errors.guestAccessForbidden();
    for (;;) {
      try {
        const { userId, tokens } = await this.createAccount({
          localpart: newGuestLocalpart(),
          password: null,
          isGuest: true,
          session: { deviceId: body.device_id, initialDisplayName: body.initial_device_display_name, refreshToken: body.refresh_token, ip },
        });
        return { user_id: userId, home_server: this.core.serverName, ...tokens };
      } catch (error) {
        // A generated number already taken (twelve random digits: rare); draw again.
        if (!(isMatrixError(error) && error.errcode === "M_USER_IN_USE")) throw error;
      }
    }
  }

  /**
   * The guest a guest_access_token names, checked before UIA as Synapse does: the token must be a live guest's
   * and the username, which the spec requires, that guest's localpart (taken as meant when left out).
   */
  private async guestToUpgrade(guestAccessToken: string, username: string | undefined): Promise<string> {
    if (guestAccessToken === "" || hasNul(guestAccessToken)) throw errors.unknownToken();
    const guest = await this.auth.authenticate(guestAccessToken);
    const localpart = guest.userId.slice(1, guest.userId.indexOf(":"));
    if (!guest.isGuest || (username !== undefined && username.toLowerCase() !== localpart)) {
      throw errors.forbidden("Cannot register taken user ID without valid guest credentials for that user");
    }
    return guest.userId;
  }

  /** Turns the guest into a full account with the registration's password, and logs in a new device. */
  private async upgradeGuest(userId: string, registration: KeptRegistrationParams, registrationToken: string | undefined, ip: string | null): Promise<IssuedTokens | undefined> {
    const tokens = await this.core.database.transaction(async (tx) => {
      if (!(await this.stores.users.upgradeGuest(tx, userId, registration.passwordHash!))) {
        throw errors.forbidden("Cannot register taken user ID without valid guest credentials for that user");
      }
      await this.consumeRegistrationToken(tx, registrationToken);
      if (registration.inhibitLogin) return undefined;
      return this.sessions.createSession(tx, {
        userId,
        deviceId: registration.deviceId,
        initialDisplayName: registration.initialDisplayName,
        refreshToken: registration.refreshToken,
        ip,
      });
    });
    // Cached lookups of the guest's old tokens still say guest; from now on they are a full account's.
    this.auth.forgetUser(userId);
    return tokens;
  }

  /** POST /account/password, after m.login.password UIA. */
  async changePassword(requester: Requester, body: { new_password: string; logout_devices?: boolean; auth?: unknown }): Promise<void> {
    checkPasswordShape(body.new_password, "new_password");
    await this.uia.authenticate(body.auth, passwordUia("change_password", requester.userId));
    const passwordHash = await hashPassword(body.new_password, this.core.config.password_scrypt_log_n);
    await this.core.database.transaction(async (tx) => {
      await this.stores.users.setPasswordHash(tx, requester.userId, passwordHash);
      if (body.logout_devices !== false) {
        // The spec revokes the user's other access tokens and their devices; the requester stays logged in.
        await this.stores.tokens.deleteForUser(tx, requester.userId, requester.deviceId);
        await this.stores.devices.deleteAllExcept(tx, requester.userId, requester.deviceId);
      }
    });
    this.auth.forgetUser(requester.userId);
  }

  /** POST /account/deactivate, after m.login.password UIA. The account stays, so its id is never reused. */
  async deactivate(requester: Requester, body: { auth?: unknown; erase?: boolean }): Promise<void> {
    await this.uia.authenticate(body.auth, passwordUia("deactivate", requester.userId));
    const erase = body.erase === true;
    await this.core.database.transaction(async (tx) => {
      await this.stores.users.markDeactivated(tx, requester.userId, erase);
      await this.stores.tokens.deleteForUser(tx, requester.userId, null);
      await this.stores.devices.deleteAllExcept(tx, requester.userId, null);
      if (erase) await this.stores.accountData.deleteAll(tx, requester.userId);
      await this.stores.keyBackup?.deleteAllForUser(tx, requester.userId);
      await this.stores.crossSigning?.deleteAllForUser(tx, requester.userId);
    });
    this.auth.forgetUser(requester.userId);
    try {
      await this.hooks.onDeactivated(requester.userId);
    } catch (error) {
      // The deactivation has committed and the user can no longer retry; leaving rooms is best effort here.
      this.core.logger.error({ err: error, userId: requester.userId }, "leaving rooms after deactivation failed");
    }
  }

  /** The m.login.registration_token stage: a token from the config file, or a usable one from the table. */
  async checkRegistrationTokenStage(auth: Record<string, unknown>): Promise<string> {
    const token = auth.token;
    if (typeof token !== "string" || token === "") throw errors.missingParam("Missing auth.token");
    if (hasNul(token)) throw errors.forbidden("Invalid registration token");
    if (this.core.config.registration.tokens.includes(token)) return token;
    if (await this.stores.registrationTokens.isUsable(token, this.core.clock.now())) return token;
    // Becomes the 401 challenge's errcode, so the client can ask for another token.
    throw errors.forbidden("Invalid registration token");
  }

  /** GET /v1/register/m.login.registration_token/validity. */
  async isRegistrationTokenValid(token: string): Promise<boolean> {
    if (this.core.config.registration.tokens.includes(token)) return true;
    if (hasNul(token)) return false;
    return this.stores.registrationTokens.isUsable(token, this.core.clock.now());
  }

  private async consumeRegistrationToken(tx: Tx, token: string | undefined): Promise<void> {
    if (token === undefined || this.core.config.registration.tokens.includes(token)) return;
    // Re-checked here: the token may have been used up since the UIA stage accepted it.
    if (!(await this.stores.registrationTokens.consume(tx, token, this.core.clock.now()))) {
      throw errors.forbidden("Registration token is no longer valid");
    }
  }

  private async freeLocalpart(): Promise<string> {
    for (;;) {
      const localpart = newLocalpart();
      if (!(await this.stores.users.localpartTaken(localpart))) return localpart;
    }
  }
}

/** UIA for an authenticated user's sensitive operation: their current password. */
export function passwordUia(operation: string, userId: string): { operation: string; userId: string; flows: string[][] } {
  return { operation, userId, flows: [["m.login.password"]] };
}
