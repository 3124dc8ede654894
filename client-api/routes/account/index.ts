import type { FastifyInstance } from "fastify";
import type { ClientApiContext } from "../../client-api-context.js";
import { registerChangePassword } from "./change-password.js";
import { registerCheckUsernameAvailability } from "./check-username-availability.js";
import { registerDeactivateAccount } from "./deactivate-account.js";
import { registerGetLoginFlows } from "./get-login-flows.js";
import { registerGetTokenOwner } from "./get-token-owner.js";
import { registerLogin } from "./login.js";
import { registerLogout } from "./logout.js";
import { registerLogoutAll } from "./logout-all.js";
import { registerRefresh } from "./refresh.js";
import { registerRegister } from "./register.js";
import { registerRegistrationTokenValidity } from "./registration-token-validity.js";
import { registerSharedSecretNonce } from "./shared-secret-nonce.js";
import { registerSharedSecretRegister } from "./shared-secret-register.js";

export function registerAccountRoutes(app: FastifyInstance, ctx: ClientApiContext): void {
  registerRegister(app, ctx);
  registerCheckUsernameAvailability(app, ctx);
  registerRegistrationTokenValidity(app, ctx);
  registerGetLoginFlows(app, ctx);
  registerLogin(app, ctx);
  registerRefresh(app, ctx);
  registerLogout(app, ctx);
  registerLogoutAll(app, ctx);
  registerGetTokenOwner(app, ctx);
  registerChangePassword(app, ctx);
  registerDeactivateAccount(app, ctx);
  registerSharedSecretNonce(app, ctx);
  registerSharedSecretRegister(app, ctx);
}
