/** GET /_matrix/client/v3/login (getLoginFlows). */
export interface LoginFlow {
  type: string;
  get_login_token?: boolean;
}

export interface GetLoginFlowsResponse {
  flows: LoginFlow[];
}
