import type { RemoteHierarchy } from "../../homeserver/rooms/hierarchy/remote-hierarchy.js";
import { federationPath, type FederationClient } from "./federation-client.js";

/** Other servers' spaces, for GET /hierarchy of our clients: the core checks what comes back. */
export class RemoteHierarchyClient implements RemoteHierarchy {
  constructor(private readonly client: FederationClient) {}

  hierarchy(destination: string, roomId: string, suggestedOnly: boolean): Promise<unknown> {
    return this.client.get(destination, federationPath`/_matrix/federation/v1/hierarchy/${roomId}`, { suggested_only: suggestedOnly });
  }
}
