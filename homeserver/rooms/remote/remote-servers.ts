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
  /** GET /state_ids: the ids of the state before `eventId` and of its auth chain. */
  getStateIds(destination: string, roomId: string, eventId: string): Promise<{ pduIds: string[]; authChainIds: string[] }>;
}
