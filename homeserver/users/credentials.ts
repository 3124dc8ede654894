import { errors } from "../errors.js";
import { burnPasswordCheck, MAX_PASSWORD_LENGTH, verifyPassword } from "./passwords.js";
import type { UserRecord, UserStore } from "../storage/stores/user-store.js";
import { localUserIdFromIdentifier } from "./user-ids.js";

/** Used for every failed password check, so the answer never tells whether the account exists. */
const invalidCredentials = () => errors.forbidden("Invalid username or password");

/**
 * The user named by a login or m.login.password auth dict: `identifier: {type: "m.id.user", user}`, or
 * the deprecated top-level `user`. Third-party identifiers cannot match, since this server stores none.
 */
export function userIdFromLoginDict(dict: Record<string, unknown>, serverName: string): string {
  let user: unknown;
  if (dict.identifier !== undefined) {
    const identifier = dict.identifier;
    if (typeof identifier !== "object" || identifier === null || Array.isArray(identifier)) {
      throw errors.badJson("identifier must be an object");
    }
    const { type } = identifier as Record<string, unknown>;
    if (type === "m.id.thirdparty" || type === "m.id.phone") throw invalidCredentials();
    if (type !== "m.id.user") throw errors.unknown(`Unknown login identifier type ${String(type)}`);
    user = (identifier as Record<string, unknown>).user;
    if (typeof user !== "string") throw errors.badJson("identifier.user must be a string");
  } else if (dict.user !== undefined) {
    user = dict.user;
    if (typeof user !== "string") throw errors.badJson("user must be a string");
  } else if (dict.medium !== undefined || dict.address !== undefined) {
    throw invalidCredentials();
  } else {
    throw errors.missingParam("Missing identifier");
  }
  const userId = localUserIdFromIdentifier(user as string, serverName);
  if (!userId) throw invalidCredentials();
  return userId;
}

export function checkPasswordShape(password: unknown, field = "password"): string {
  if (typeof password !== "string") throw errors.badJson(`${field} must be a string`);
  if (password.length > MAX_PASSWORD_LENGTH) throw errors.invalidParam(`${field} is too long (max ${MAX_PASSWORD_LENGTH})`);
  return password;
}

export class PasswordChecker {
  constructor(
    private readonly users: UserStore,
    /** config.password_scrypt_log_n: an unknown user's check costs what a real one does. */
    private readonly scryptLogN: number,
  ) {}

  /**
   * The account, if `password` is its password. A deactivated account answers M_USER_DEACTIVATED only
   * after the right password, so the flag is not revealed to someone guessing.
   */
  async check(userId: string, password: string): Promise<UserRecord> {
    const user = await this.users.get(userId);
    if (!user || user.passwordHash === null) {
      await burnPasswordCheck(password, this.scryptLogN);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(password, user.passwordHash))) throw invalidCredentials();
    if (user.deactivated) throw errors.userDeactivated();
    return user;
  }

  /** The m.login.password UIA stage: the password must be that of the user making the request. */
  async checkStage(auth: Record<string, unknown>, subject: { userId?: string }, serverName: string): Promise<string> {
    const userId = userIdFromLoginDict(auth, serverName);
    const password = checkPasswordShape(auth.password);
    const user = await this.check(userId, password);
    if (subject.userId !== undefined && user.userId !== subject.userId) {
      throw errors.forbidden("The authenticated user does not match the requester");
    }
    return user.userId;
  }
}
