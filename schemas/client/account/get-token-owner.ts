/** GET /_matrix/client/v3/account/whoami (getTokenOwner). */
export interface GetTokenOwnerResponse {
  user_id: string;
  device_id?: string;
  is_guest?: boolean;
}
