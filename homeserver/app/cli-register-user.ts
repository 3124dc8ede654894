import { errors } from "../errors.js";
import { parseUserId } from "../users/user-ids.js";
import type { AppContext } from "./app-context.js";

/**
 * `myelin register-user`: creates an account from the server's shell, whatever the registration config
 * says (the operator is trusted). Takes a localpart or a full user id on this server. Throws MatrixError
 * M_INVALID_USERNAME / M_USER_IN_USE for a bad or taken name, so the CLI can print its message.
 */
export async function registerUserFromShell(
  ctx: AppContext,
  args: { localpart: string; password: string; admin: boolean },
): Promise<{ userId: string }> {
  let localpart = args.localpart;
  if (localpart.startsWith("@")) {
    const parsed = parseUserId(localpart);
    if (!parsed || parsed.serverName !== ctx.serverName) throw errors.invalidUsername(`Not a user id on ${ctx.serverName}`);
    localpart = parsed.localpart;
  }
  const { userId } = await ctx.users.accounts.createAccount({
    localpart: ctx.users.accounts.normaliseUsername(localpart),
    password: args.password,
    admin: args.admin,
  });
  return { userId };
}
