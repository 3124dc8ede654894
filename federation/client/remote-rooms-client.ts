import type { RemoteMembership, RemoteServers } from "../../homeserver/rooms/remote/index.js";
import type { DirectoryRemote } from "../../homeserver/rooms/directory-remote.js";
import type { PublicRoomsQuery } from "../../homeserver/rooms/directory-public-rooms.js";
import type { PublicRoomsResponse } from "../../schemas/client/directory/get-public-rooms.js";
import { FederationRequestError, toClientFacingError } from "./errors.js";
import { federationPath, type FederationClient } from "./federation-client.js";

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asStrings = (value: unknown): string[] => asList(value).filter((v): v is string => typeof v === "string");

/** The core's view of other servers' rooms, spoken over the Server-Server API. */
export class RemoteRoomsClient implements RemoteServers, RemoteMembership, DirectoryRemote {
  constructor(private readonly client: FederationClient) {}

  async queryAlias(serverName: string, alias: string): Promise<{ room_id: string; servers: string[] } | undefined> {
    try {
      const response = await this.client.get<{ room_id?: unknown; servers?: unknown }>(serverName, "/_matrix/federation/v1/query/directory", {
        room_alias: alias,
      });
      if (typeof response.room_id !== "string") return undefined;
      return { room_id: response.room_id, servers: asStrings(response.servers) };
    } catch (error) {
      if (error instanceof FederationRequestError && error.status === 404) return undefined;
      throw toClientFacingError(error);
    }
  }

  publicRooms(serverName: string, query: PublicRoomsQuery): Promise<PublicRoomsResponse> {
    return this.client
      .request<PublicRoomsResponse>({ method: "POST", destination: serverName, path: "/_matrix/federation/v1/publicRooms", body: query })
      .catch((error) => Promise.reject(toClientFacingError(error)));
  }

  async getMissingEvents(destination: string, roomId: string, args: { earliestEvents: string[]; latestEvents: string[]; limit: number; minDepth: number }) {
    const response = await this.client.request<{ events?: unknown }>({
      method: "POST",
      destination,
      path: federationPath`/_matrix/federation/v1/get_missing_events/${roomId}`,
      body: { earliest_events: args.earliestEvents, latest_events: args.latestEvents, limit: args.limit, min_depth: args.minDepth },
    });
    return asList(response.events);
  }

  async getEvent(destination: string, eventId: string): Promise<unknown | undefined> {
    try {
      const response = await this.client.get<{ pdus?: unknown }>(destination, federationPath`/_matrix/federation/v1/event/${eventId}`);
      return asList(response.pdus)[0];
    } catch (error) {
      if (error instanceof FederationRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  async backfill(destination: string, roomId: string, from: string[], limit: number): Promise<unknown[]> {
    const response = await this.client.get<{ pdus?: unknown }>(destination, federationPath`/_matrix/federation/v1/backfill/${roomId}`, { v: from, limit });
    return asList(response.pdus);
  }

  async getStateIds(destination: string, roomId: string, eventId: string) {
    const response = await this.client.get<{ pdu_ids?: unknown; auth_chain_ids?: unknown }>(
      destination,
      federationPath`/_matrix/federation/v1/state_ids/${roomId}`,
      { event_id: eventId },
    );
    return { pduIds: asStrings(response.pdu_ids), authChainIds: asStrings(response.auth_chain_ids) };
  }

  async makeJoin(destination: string, roomId: string, userId: string, supportedVersions: string[]) {
    const response = await this.client.get<{ event?: Record<string, unknown>; room_version?: string }>(
      destination,
      federationPath`/_matrix/federation/v1/make_join/${roomId}/${userId}`,
      { ver: supportedVersions },
    );
    if (typeof response.event !== "object" || response.event === null) throw new Error(`${destination} sent no join template`);
    return { event: response.event, roomVersion: response.room_version ?? "1" };
  }

  async sendJoin(destination: string, roomId: string, eventId: string, event: Record<string, unknown>) {
    const response = await this.client.request<{ state?: unknown; auth_chain?: unknown; event?: unknown }>({
      method: "PUT",
      destination,
      path: federationPath`/_matrix/federation/v2/send_join/${roomId}/${eventId}`,
      body: event,
      timeoutMs: 120_000,
    });
    return { state: asList(response.state), authChain: asList(response.auth_chain), event: response.event };
  }

  async makeLeave(destination: string, roomId: string, userId: string) {
    const response = await this.client.get<{ event?: Record<string, unknown>; room_version?: string }>(
      destination,
      federationPath`/_matrix/federation/v1/make_leave/${roomId}/${userId}`,
    );
    if (typeof response.event !== "object" || response.event === null) throw new Error(`${destination} sent no leave template`);
    return { event: response.event, roomVersion: response.room_version ?? "1" };
  }

  async makeKnock(destination: string, roomId: string, userId: string, supportedVersions: string[]) {
    try {
      const response = await this.client.get<{ event?: Record<string, unknown>; room_version?: string }>(
        destination,
        federationPath`/_matrix/federation/v1/make_knock/${roomId}/${userId}`,
        { ver: supportedVersions },
      );
      if (typeof response.event !== "object" || response.event === null) throw new Error(`${destination} sent no knock template`);
      return { event: response.event, roomVersion: response.room_version ?? "1" };
    } catch (error) {
      throw toClientFacingError(error);
    }
  }

  async sendKnock(destination: string, roomId: string, eventId: string, event: Record<string, unknown>) {
    try {
      const response = await this.client.request<{ knock_room_state?: unknown }>({
        method: "PUT",
        destination,
        path: federationPath`/_matrix/federation/v1/send_knock/${roomId}/${eventId}`,
        body: event,
      });
      return { knockRoomState: asList(response.knock_room_state) };
    } catch (error) {
      throw toClientFacingError(error);
    }
  }

  async sendLeave(destination: string, roomId: string, eventId: string, event: Record<string, unknown>): Promise<void> {
    await this.client.request({ method: "PUT", destination, path: federationPath`/_matrix/federation/v2/send_leave/${roomId}/${eventId}`, body: event });
  }

  async invite(destination: string, roomId: string, eventId: string, body: { event: Record<string, unknown>; room_version: string; invite_room_state: unknown[] }) {
    const response = await this.client.request<{ event?: Record<string, unknown> }>({
      method: "PUT",
      destination,
      path: federationPath`/_matrix/federation/v2/invite/${roomId}/${eventId}`,
      body,
    });
    if (typeof response.event !== "object" || response.event === null) throw new Error(`${destination} did not return the signed invite`);
    return response.event;
  }
}
