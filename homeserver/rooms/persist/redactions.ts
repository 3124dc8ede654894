import { canApplyRedaction, redactsOf, stateLookupFromEvents, withStateEvents } from "../../events/auth-rules/index.js";
import { referenceIds, type IdentifiedPdu, type StateLookup } from "../../events/pdu.js";
import type { Tx } from "../../storage/database.js";
import type { EventsStore } from "../../storage/stores/events-store.js";
import type { RoomMemory } from "./room-memory.js";

/**
 * The spec's "Handling redactions", inside the transaction that writes the events, for local and remote
 * events alike: an accepted m.room.redaction marks its target redacted when the sender may redact it; one
 * whose target we do not hold yet is remembered, and applied (if it may be) when the target arrives, in the
 * transaction that writes the target. Both return whether they marked anything, so that the pipeline knows
 * its written rows no longer match the database (readers' caches then read them again).
 */
export class Redactions {
  constructor(private readonly events: EventsStore) {}

  /**
   * `redaction` was just written as part of the room's history. `authState` is the state it was authorised
   * against; without one, the lookup is built from its auth events.
   */
  async redactionWritten(tx: Tx, memory: RoomMemory, redaction: IdentifiedPdu, authState?: StateLookup): Promise<boolean> {
    if (redaction.type !== "m.room.redaction") return false;
    const targetId = redactsOf(redaction, memory.version);
    if (targetId === undefined) return false;
    const target = await this.events.get(targetId, tx);
    if (!target) {
      await tx
        .insertInto("pending_redactions")
        .values({ redacts: targetId, redaction_id: redaction.event_id, room_id: memory.roomId })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return false;
    }
    const lookup = authState ?? (await this.authLookup(tx, memory, redaction));
    if (!canApplyRedaction(redaction, target.pdu, lookup, memory.version)) return false;
    await this.events.markRedacted(tx, targetId, redaction.event_id);
    return true;
  }

  /** `targets` were just written: apply the redactions that came before them. */
  async targetsWritten(tx: Tx, memory: RoomMemory, targets: IdentifiedPdu[]): Promise<boolean> {
    const pending: Array<{ redacts: string; redaction_id: string }> = [];
    // A remote join writes thousands of outliers at once: keep each statement's parameter list bounded.
    for (let i = 0; i < targets.length; i += 500) {
      const ids = targets.slice(i, i + 500).map((t) => t.event_id);
      pending.push(...(await tx.selectFrom("pending_redactions").select(["redacts", "redaction_id"]).where("redacts", "in", ids).execute()));
    }
    if (pending.length === 0) return false;
    const byId = new Map(targets.map((t) => [t.event_id, t]));
    const redactions = await this.events.getMany(pending.map((p) => p.redaction_id), tx);
    let marked = false;
    for (const { redacts, redaction_id } of pending) {
      const redaction = redactions.get(redaction_id)?.pdu;
      const target = byId.get(redacts)!;
      if (redaction && canApplyRedaction(redaction, target, await this.authLookup(tx, memory, redaction), memory.version)) {
        await this.events.markRedacted(tx, redacts, redaction_id);
        marked = true;
      }
    }
    // Whether it applied or not is settled once the target is known: nothing about either event changes.
    await tx.deleteFrom("pending_redactions").where("redacts", "in", [...new Set(pending.map((p) => p.redacts))]).execute();
    return marked;
  }

  /** The redaction's auth events (plus the create event, which v12 leaves out of them) as a state lookup. */
  private async authLookup(tx: Tx, memory: RoomMemory, redaction: IdentifiedPdu): Promise<StateLookup> {
    const auth = await this.events.getMany(referenceIds(redaction.auth_events), tx);
    const lookup = stateLookupFromEvents([...auth.values()].map((e) => e.pdu));
    const create = memory.stateEvent("m.room.create");
    return create && memory.version.roomIdFromCreateEvent ? withStateEvents(lookup, [create]) : lookup;
  }
}
