import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CoreContext } from "../core/core-context.js";
import { errors } from "../errors.js";
import type { AccountService } from "./accounts.js";

const NONCE_TTL_MS = 60_000;

export interface SharedSecretRegisterBody {
  nonce: string;
  username: string;
  password: string;
  mac: string;
  admin?: boolean;
  displayname?: string;
  user_type?: string | null;
}

/**
 * Synapse's admin registration (`/_synapse/admin/v1/register`), which scripts and tools such as
 * `register_new_matrix_user` speak: fetch a nonce, then prove knowledge of the shared secret with
 * HMAC-SHA1 over nonce, user, password and admin flag. Works whether or not open registration is on.
 */
export class SharedSecretRegistration {
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly core: CoreContext,
    private readonly accounts: AccountService,
  ) {}

  private get secret(): string {
    const secret = this.core.config.registration.shared_secret;
    if (!secret) throw errors.unknown("Shared secret registration is not enabled");
    return secret;
  }

  newNonce(): string {
    void this.secret;
    const now = this.core.clock.now();
    for (const [nonce, issued] of this.nonces) if (now - issued > NONCE_TTL_MS) this.nonces.delete(nonce);
    const nonce = randomBytes(32).toString("hex");
    this.nonces.set(nonce, now);
    return nonce;
  }

  async register(body: SharedSecretRegisterBody): Promise<{ user_id: string; home_server: string; access_token: string; device_id: string }> {
    const secret = this.secret;
    const issued = this.nonces.get(body.nonce);
    if (issued === undefined || this.core.clock.now() - issued > NONCE_TTL_MS) throw errors.unknown("unrecognised nonce");
    // Single use: a captured request cannot be replayed.
    this.nonces.delete(body.nonce);
    if (body.username.includes("\0") || body.password.includes("\0")) throw errors.invalidParam("Invalid username or password");

    const parts = [body.nonce, body.username, body.password, body.admin ? "admin" : "notadmin"];
    if (body.user_type) parts.push(body.user_type);
    const expected = createHmac("sha1", secret).update(parts.join("\0"), "utf8").digest();
    const given = /^[0-9a-fA-F]{40}$/.test(body.mac) ? Buffer.from(body.mac, "hex") : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw errors.forbidden("HMAC incorrect");

    const { userId, tokens } = await this.accounts.createAccount({
      localpart: this.accounts.normaliseUsername(body.username),
      password: body.password,
      admin: body.admin === true,
      displayname: body.displayname,
      session: {},
    });
    return { user_id: userId, home_server: this.core.serverName, access_token: tokens!.access_token, device_id: tokens!.device_id };
  }
}
