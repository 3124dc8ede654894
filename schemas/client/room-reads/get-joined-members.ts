/** GET /_matrix/client/v3/rooms/{roomId}/joined_members */
export interface JoinedMemberJson {
  display_name?: string;
  avatar_url?: string;
}

export interface GetJoinedMembersResponse {
  joined: Record<string, JoinedMemberJson>;
}
