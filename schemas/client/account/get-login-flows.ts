import type { ClientRoute } from "../client-route.js";

/** GET /_matrix/client/v3/login (getLoginFlows). */
export interface LoginFlow {
  type: string;
  get_login_token?: boolean;
}

export interface GetLoginFlowsResponse {
  flows: LoginFlow[];
}

export const getLoginFlowsRoute: ClientRoute<"none", { response: GetLoginFlowsResponse }> = {
  method: "GET",
  path: "/_matrix/client/v3/login",
  auth: "none",
  rateLimited: false,
};
