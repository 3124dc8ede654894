import type { CoreContext } from "../../core/core-context.js";
import type { Stores } from "../../storage/stores/stores.js";
import { errors, isMatrixError, MatrixError } from "../../errors.js";
import { stateKeyOf, type IdentifiedPdu, type JsonObject } from "../../events/pdu.js";
import { getRoomVersion, KNOWN_ROOM_VERSIONS } from "../../events/room-versions.js";
import type { Requester } from "../../users/requester.js";
import type { EventPersister } from "../persist/event-persister.js";
import { RoomMemory } from "../persist/room-memory.js";
import { completeTemplate } from "./complete-template.js";
import { toWirePdu } from "./federation-reads.js";
import type { RemoteEventIngest } from "./ingest-events.js";
import type { RemoteMembership } from "./remote-servers.js";

/**
 * A local user joins a room that lives on other servers: make_join for a template, sign it, send_join, then
 * check the state and auth chain we are given, store them, and place our join on top (spec: "Joining Rooms").
 */
export class RemoteJoin {
  constructor(
    private readonly core: CoreContext,
    private readonly persister: EventPersister,
    private readonly stores: Stores,
    private readonly ingest: RemoteEventIngest,
    private readonly remote: RemoteMembership,
    private readonly memberContent: (userId: string, membership: string) => Promise<JsonObject>,
  ) {}

  /** `clientContent`: fields the client sent for its join's content (reason, ...), kept as a local join keeps them. */
  async join(requester: Requester, roomId: string, servers: string[], clientContent: JsonObject = {}): Promise<string> {
    const candidates = [...new Set(servers)].filter((s) => s !== this.core.serverName);
    if (candidates.length === 0) throw errors.notFound("No known servers to join this room through");
    let lastError: unknown;
    for (const server of candidates) {
      try {
        return await this.joinVia(requester, roomId, server, clientContent);
      } catch (error) {
        lastError = error;
        this.core.logger.info({ roomId, server, err: (error as Error).message }, "remote join attempt failed");
        if ((isMatrixError(error) && error.status === 403) || (error as { status?: number }).status === 403) break;
      }
    }
    if (isMatrixError(lastError)) throw lastError;
    // The resident server's own refusal (e.g. 403 M_FORBIDDEN for an invite-only room) is passed on as it is.
    const remote = lastError as { status?: number; errcode?: string; body?: { error?: string } };
    if (typeof remote?.errcode === "string" && typeof remote.status === "number" && remote.status >= 400 && remote.status < 500) {
      throw new MatrixError(remote.errcode, remote.body?.error ?? `The resident server refused the join`, remote.status);
    }
    throw errors.unknown(`Failed to join the room: ${(lastError as Error)?.message ?? "no server answered"}`, 502);
  }

  private async joinVia(requester: Requester, roomId: string, server: string, clientContent: JsonObject): Promise<string> {
    const template = await this.remote.makeJoin(server, roomId, requester.userId, [...KNOWN_ROOM_VERSIONS]);
    const version = getRoomVersion(template.roomVersion);
    if (!version) throw errors.unsupportedRoomVersion(template.roomVersion);
    const templateContent = (template.event.content ?? {}) as JsonObject;
    const content: JsonObject = { ...(await this.memberContent(requester.userId, "join")), ...clientContent, membership: "join" };
    if (typeof templateContent.join_authorised_via_users_server === "string") {
      content.join_authorised_via_users_server = templateContent.join_authorised_via_users_server;
    }
    const join = completeTemplate(template.event, version, this.core.serverName, this.core.signingKey, this.core.clock.now(), content);
    if (join.room_id !== roomId || join.sender !== requester.userId || join.state_key !== requester.userId) {
      throw errors.unknown("The resident server's join template is not for this user and room", 502);
    }
    const response = await this.remote.sendJoin(server, roomId, join.event_id, toWirePdu(join, version));

    return this.persister.serialise(roomId, async () => {
      const createRaw = response.state.find((e) => typeof e === "object" && e !== null && (e as { type?: unknown }).type === "m.room.create");
      if (!createRaw) throw errors.unknown("The resident server sent no m.room.create", 502);
      // A room we knew but left (or were only invited to) is rejoined on top of the state we are given now.
      const known = (await this.stores.rooms.get(roomId)) ? await this.persister.roomMemory(roomId) : undefined;
      if (known && known.version.id !== version.id) throw errors.unknown("The room's version differs from what we knew", 502);
      const memory = known ?? new RoomMemory(roomId, version, new Map(), [], 0, null);
      const { accepted, idsOfInput, toWrite } = await this.ingest.checkOutliers(memory, [...response.authChain, ...response.state]);
      const state = new Map<string, IdentifiedPdu>();
      for (const id of idsOfInput.slice(response.authChain.length)) {
        const pdu = id ? accepted.get(id) : undefined;
        if (pdu && typeof pdu.state_key === "string") state.set(stateKeyOf(pdu.type, pdu.state_key), pdu);
      }
      if (!state.has(stateKeyOf("m.room.create", ""))) throw errors.unknown("The room's state has no valid m.room.create", 502);
      const first = this.ingest.firstEvent(memory, join, state);
      memory.maxDepth = Math.max(memory.maxDepth, ...[...state.values()].map((e) => e.depth));
      // The room row, the outliers and our join in one transaction: a failure anywhere leaves nothing of the
      // room behind (no room without state for the user to see), and a retry starts afresh.
      const creator = String((createRaw as { sender?: unknown }).sender ?? "");
      await this.persister.writeAccepted({
        memory,
        events: [...toWrite, first.event],
        roomAfter: first.roomAfter,
        before: known
          ? undefined
          : async (tx) => {
              await this.stores.rooms.create(tx, { roomId, roomVersion: version.id, creator, createdTs: this.core.clock.now(), directoryVisibility: "private" });
            },
      });
      this.persister.adoptMemory(memory);
      return roomId;
    });
  }
}
