import { canApplyRedaction, redactsOf, stateLookupFromEvents, withStateEvents } from "../../events/auth-rules/index.js";
import { referenceIds, type IdentifiedPdu, type StateLookup } from "../../events/pdu.js";
import type { Tx } from "../../storage/database.js";
import type { EventsStore } from "../../storage/stores/events-store.js";
import type { RoomMemory } from "./room-memory.js";

/**
 * The spec's "Handling redactions", inside the transaction that writes the events, for local and remote
 * events alike: an accepted m.room.redaction marks its target redacted when the sender may redact it; one
 * whose target we do not hold yet is remembered, and applied (if it may be) when the target arrives, in the
 * transaction that writes the target. Both return the events they marked redacted, so that the pipeline knows
 * its written rows no longer match the database (readers' caches then read them again).
 */
export class Redactions {
  constructor(private readonly events: EventsStore) {}

  /**
   * `redaction` was just written as part of the room's history. `authState` is the state it was authorised
   * against; without one, the lookup is built from its auth events.
   */
  async redactionWritten(tx: Tx, memory: RoomMemory, redaction: IdentifiedPdu, authState?: StateLookup): Promise<string[]> {
    if (redaction.type !== "m.room.redaction") return [];
    const targetId = redactsOf(redaction, memory.version);
    if (targetId === undefined) return [];
    const target = await this.events.get(targetId, tx);
    if (!target) {
      await tx
        .insertInto("pending_redactions")
        .values({ redacts: targetId, redaction_id: redaction.event_id, room_id: memory.roomId })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return [];
    }
    const lookup = authState ?? (await this.authLookup(tx, memory, redaction));
    if (!canApplyRedaction(redaction, target.pdu, lookup, memory.version)) return [];
    await this.events.markRedacted(tx, targetId, redaction.event_id);
    return [targetId];
  }

  /** `targets` were just written: apply the redactions that came before them. */
  async targetsWritten(tx: Tx, memory: RoomMemory, targets: IdentifiedPdu[]): Promise<string[]> {
    const pending: Array<{ redacts: string; redaction_id: string }> = [];
    // A remote join writes thousands of outliers at once: keep each statement's parameter list bounded.
    for (let i = 0; i < targets.length; i += 500) {
      const ids = targets.slice(i, i + 500).map((t) => t.event_id);
      pending.push(...(await tx.selectFrom("pending_redactions").select(["redacts", "redaction_id"]).where("redacts", "in", ids).execute()));
    }
    if (pending.length === 0) return [];
    const byId = new Map(targets.map((t) => [t.event_id, t]));
    const redactions = await this.events.getMany(pending.map((p) => p.redaction_id), tx);
    const marked: string[] = [];
    for (const { redacts, redaction_id } of pending) {
      const redaction = redactions.get(redaction_id)?.pdu;
      const target = byId.get(redacts)!;
      if (redaction && canApplyRedaction(redaction, target, await this.authLookup(tx, memory, redaction), memory.version)) {
        await this.events.markRedacted(tx, redacts, redaction_id);
        marked.push(redacts);
      }
    }
    // Whether it applied or not is settled once the target is known: nothing about either event changes.
    await tx.deleteFrom("pending_redactions").where("redacts", "in", [...new Set(pending.map((p) => p.redacts))]).execute();
    return marked;
  }

  /** `rejected` were refused: a redaction waiting for one of them can never apply, so it stops waiting. */
  async targetsRejected(tx: Tx, rejected: IdentifiedPdu[]): Promise<void> {
    for (let i = 0; i < rejected.length; i += 500) {
      await tx.deleteFrom("pending_redactions").where("redacts", "in", rejected.slice(i, i + 500).map((t) => t.event_id)).execute();
    }
  }

  /** The redaction's auth events (plus the create event, which v12 leaves out of them) as a state lookup. */
  private async authLookup(tx: Tx, memory: RoomMemory, redaction: IdentifiedPdu): Promise<StateLookup> {
    const auth = await this.events.getMany(referenceIds(redaction.auth_events), tx);
    const lookup = stateLookupFromEvents([...auth.values()].map((e) => e.pdu));
    const create = memory.stateEvent("m.room.create");
    return create && memory.version.roomIdFromCreateEvent ? withStateEvents(lookup, [create]) : lookup;
  }
}
