/**
 * What the core asks of other servers. federation/ implements it with the signed HTTP client; app/ wires it.
 * Every method returns raw JSON: the core checks what comes back as it checks any incoming PDU.
 */
export interface RemoteServers {
  /** POST /get_missing_events: events between our latest and theirs, oldest first. */
  getMissingEvents(
    destination: string,
    roomId: string,
    args: { earliestEvents: string[]; latestEvents: string[]; limit: number; minDepth: number },
  ): Promise<unknown[]>;
  /** GET /event/{eventId}: one PDU, or undefined if the server does not have it. */
  getEvent(destination: string, eventId: string): Promise<unknown | undefined>;
  /** GET /backfill: up to `limit` events before and including `from`, as the server gives them. */
  backfill(destination: string, roomId: string, from: string[], limit: number): Promise<unknown[]>;
  /** GET /state_ids: the ids of the state before `eventId` and of its auth chain. */
  getStateIds(destination: string, roomId: string, eventId: string): Promise<{ pduIds: string[]; authChainIds: string[] }>;
}

/** The membership handshakes a local user's join or leave of a remote room needs. */
export interface RemoteMembership {
  /** GET /make_join: a template join event and the room version. */
  makeJoin(destination: string, roomId: string, userId: string, supportedVersions: string[]): Promise<{ event: Record<string, unknown>; roomVersion: string }>;
  /** PUT /v2/send_join: the room's state before our join and its auth chain. */
  sendJoin(destination: string, roomId: string, eventId: string, event: Record<string, unknown>): Promise<{ state: unknown[]; authChain: unknown[]; event?: unknown }>;
  makeLeave(destination: string, roomId: string, userId: string): Promise<{ event: Record<string, unknown>; roomVersion: string }>;
  sendLeave(destination: string, roomId: string, eventId: string, event: Record<string, unknown>): Promise<void>;
  /** GET /make_knock and PUT /v1/send_knock: knocking on a room another server holds. */
  makeKnock(destination: string, roomId: string, userId: string, supportedVersions: string[]): Promise<{ event: Record<string, unknown>; roomVersion: string }>;
  sendKnock(destination: string, roomId: string, eventId: string, event: Record<string, unknown>): Promise<{ knockRoomState: unknown[] }>;
  /** PUT /v2/invite: the invitee's server signs the invite and returns it. */
  invite(destination: string, roomId: string, eventId: string, body: { event: Record<string, unknown>; room_version: string; invite_room_state: unknown[] }): Promise<Record<string, unknown>>;
}
