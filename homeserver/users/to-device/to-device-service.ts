import { randomBytes } from "node:crypto";
import type { CoreContext } from "../../core/core-context.js";
import { errors } from "../../errors.js";
import { parseUserId } from "../user-ids.js";
import type { ToDeviceRow, ToDeviceStore, ToDeviceTarget } from "../../storage/stores/to-device-store.js";
import type { Tx } from "../../storage/database.js";
import { setOwn } from "../e2e-keys/own-entries.js";
import { isValidServerName } from "../../server-name.js";

/** The spec's wildcard device id: every device of the user. */
export const ALL_DEVICES = "*";
/** The spec recommends 100 per /sync response when a queue is long (Synapse sends at most 100). */
export const TO_DEVICE_SYNC_LIMIT = 100;

/** userId -> deviceId (or `*`) -> content, as PUT /sendToDevice's body has it. */
export type ToDeviceMessages = Record<string, Record<string, Record<string, unknown>>>;

/** A message as /sync's `to_device.events` carries it. */
export type ToDeviceEvent = {
  sender: string;
  type: string;
  content: Record<string, unknown>;
};

/**
 * What to-device needs of federation (homeserver/edus/device-messages/ implements it, app/ wires it):
 * messages for other servers' users queued durably in the request's own transaction, and a record of the
 * m.direct_to_device EDUs already delivered, so that a retried transaction delivers nothing twice.
 */
export interface ToDeviceFederation {
  /** Queues, in `tx`, `sender`'s messages for users of other servers (server name -> those users' messages). */
  queueRemote(tx: Tx, sender: string, eventType: string, byServer: ReadonlyMap<string, ToDeviceMessages>): Promise<void>;
  /** Records (origin, messageId) in `tx`; false when it was recorded before. */
  firstDelivery(tx: Tx, origin: string, messageId: string): Promise<boolean>;
}

export interface DeviceInbox {
  events: ToDeviceEvent[];
  /** The position of the last message in `events`, when the limit left later ones for the next sync. */
  heldAt?: number;
}

/**
 * Send-to-device messaging for local devices: PUT /sendToDevice queues one message per addressed device, /sync
 * delivers a device's queue and deletes what the device acknowledged by syncing on. Each message takes a position on
 * the to-device stream; the recipients' syncs are woken once it is published.
 */
export class ToDeviceService {
  /** Committed requests whose highest position is not yet published: the users to wake once it is. */
  private readonly awaitingPublish = new Map<number, Set<string>>();
  /** Set once federation is wired; until then (and in tests without it) messages for other servers are dropped. */
  private federation: ToDeviceFederation | undefined;

  /**
   * Positions up to here are covered by the stored high-water mark. A write whose positions pass it raises the
   * mark RESERVED_POSITIONS beyond them in its own statement; the writes in between leave the mark's row alone,
   * which every concurrent to-device write would otherwise update and so wait on, one commit after another.
   */
  private reservedUpTo: number;

  constructor(
    private readonly core: CoreContext,
    private readonly store: ToDeviceStore,
  ) {
    // The publisher starts from the stored mark, and nothing has been allocated yet.
    this.reservedUpTo = core.streams.toDevice.current;
    // Also catches publications caused by another writer finishing an earlier position.
    core.streams.toDevice.onPublish(() => this.wakePublished());
  }

  useFederation(federation: ToDeviceFederation): void {
    this.federation = federation;
  }

  /**
   * Queues `messages` from the requester's device. Idempotent per (sender, sender's device, type, txnId): a retry
   * answers as the first request did and queues nothing. Unknown local users and devices are skipped (as Synapse
   * does). Messages to users of other servers are grouped by server into m.direct_to_device EDUs, queued durably in
   * the same transaction: once the client has its 200 they reach the other server, however long it is down.
   */
  async send(sender: { userId: string; deviceId: string }, eventType: string, txnId: string, messages: ToDeviceMessages): Promise<void> {
    requireStorableId(eventType, "Event type");
    requireStorableId(txnId, "Transaction ID");
    const local: ToDeviceMessages = {};
    const remote = new Map<string, ToDeviceMessages>();
    for (const [userId, byDevice] of Object.entries(messages)) {
      const parsed = parseUserId(userId);
      if (!parsed || !isStorable(userId)) throw errors.invalidParam(`Invalid user ID ${JSON.stringify(userId)}`);
      for (const deviceId of Object.keys(byDevice)) requireStorableId(deviceId, "Device ID");
      if (parsed.serverName !== this.core.serverName) {
        // A server that cannot exist would hold its EDUs in the outbox for ever: skipped, as unknown users are.
        if (!isValidServerName(parsed.serverName)) continue;
        const forServer = remote.get(parsed.serverName) ?? remote.set(parsed.serverName, {}).get(parsed.serverName)!;
        setOwn(forServer, userId, byDevice);
        continue;
      }
      setOwn(local, userId, byDevice);
    }

    await this.queueOnce(sender.userId, eventType, local, async (tx) => {
      const fresh = await this.store.recordTxn(tx, { userId: sender.userId, deviceId: sender.deviceId, eventType, txnId }, this.core.clock.now());
      if (fresh && remote.size > 0) await this.federation?.queueRemote(tx, sender.userId, eventType, remote);
      return fresh;
    });
  }

  /**
   * Messages from a user of another server, from an m.direct_to_device EDU whose sender and addressees the caller
   * has checked (the sender is the origin's, the users ours). Queued once per (origin, messageId): a transaction
   * the origin retries delivers nothing twice. Woken and delivered as local sends are.
   */
  async deliverRemote(origin: string, messageId: string, sender: string, eventType: string, messages: ToDeviceMessages): Promise<void> {
    const federation = this.federation;
    if (!federation) return;
    await this.queueOnce(sender, eventType, messages, (tx) => federation.firstDelivery(tx, origin, messageId));
  }

  /**
   * One transaction: `first` records the request (a txnId, an EDU's message id) and says whether it is new; only
   * then are `messages` to our users' devices queued. Their positions are released whatever happens.
   */
  private async queueOnce(sender: string, eventType: string, messages: ToDeviceMessages, first: (tx: Tx) => Promise<boolean>): Promise<void> {
    const targets: ToDeviceTarget[] = [];
    const contents: Array<Record<string, unknown>> = [];
    for (const [userId, byDevice] of Object.entries(messages)) {
      for (const [deviceId, content] of Object.entries(byDevice)) {
        targets.push({ userId, deviceId });
        contents.push(content);
      }
    }
    const positions: number[] = [];
    try {
      await this.core.database.transaction(async (tx) => {
        if (await first(tx)) await this.queueLocal(tx, sender, eventType, targets, contents, positions);
      });
    } finally {
      this.finish(positions);
    }
  }

  /** Queues one message per existing addressed device, taking positions (pushed to `positions`) in queue order. */
  private async queueLocal(tx: Tx, sender: string, eventType: string, targets: ToDeviceTarget[], contents: Array<Record<string, unknown>>, positions: number[]): Promise<void> {
    if (targets.length === 0) return;
    const publisher = this.core.streams.toDevice;
    const devices = oneMessagePerDevice(targets, await this.store.existingDevices(tx, targets));
    if (devices.length === 0) return;
    // Allocated after the device rows are locked, in the order they are queued, so a device gets them in order.
    const messageIds = newMessageIds(devices.length);
    const rows: ToDeviceRow[] = devices.map(({ target, userId, deviceId }, i) => {
      const streamPos = publisher.allocate();
      positions.push(streamPos);
      return { userId, deviceId, streamPos, sender, type: eventType, content: contents[target], messageId: messageIds[i] };
    });
    const highest = positions[positions.length - 1];
    const reserve = highest > this.reservedUpTo ? highest + RESERVED_POSITIONS : undefined;
    await this.store.insert(tx, rows, reserve);
    if (reserve !== undefined) {
      this.core.database.onCommit(tx, () => {
        this.reservedUpTo = Math.max(this.reservedUpTo, reserve);
      });
    }
    const users = new Set(devices.map((d) => d.userId));
    this.core.database.onCommit(tx, () => this.awaitingPublish.set(highest, users));
  }

  /**
   * Committed or rolled back, the positions must stop holding back readers. Highest first, so that the request is
   * published in one step (one wake-up) once its lowest position finishes.
   */
  private finish(positions: readonly number[]): void {
    const publisher = this.core.streams.toDevice;
    for (let i = positions.length - 1; i >= 0; i--) publisher.finish(positions[i]);
  }

  /**
   * A device's sync over (since, upTo]: deletes what it acknowledged (everything up to `since`, which it received
   * with an earlier response) and returns its oldest pending messages, at most `limit`. An initial sync (`since`
   * undefined) reads from the start and deletes nothing.
   */
  async deliver(userId: string, deviceId: string, since: number | undefined, upTo: number, acknowledged = since, limit = TO_DEVICE_SYNC_LIMIT): Promise<DeviceInbox> {
    const after = since ?? 0;
    const rows = await this.store.acknowledgeAndRead(userId, deviceId, { acknowledged, after, upTo, limit });
    const events = rows.map((r) => ({ sender: r.sender, type: r.type, content: JSON.parse(r.content) as Record<string, unknown> }));
    const last = rows[rows.length - 1];
    // A full page may have left messages behind; the next sync must start after the last one sent, not at upTo.
    return rows.length >= limit && last.streamPos < upTo ? { events, heldAt: last.streamPos } : { events };
  }

  private wakePublished(): void {
    const published = this.core.streams.toDevice.current;
    const users = new Set<string>();
    for (const [position, recipients] of this.awaitingPublish) {
      if (position > published) continue;
      for (const user of recipients) users.add(user);
      this.awaitingPublish.delete(position);
    }
    if (users.size > 0) this.core.notifier.onNew("toDevice", published, { users });
  }
}

/**
 * The spec allows one message per device per request. A device named both itself and through `*` gets the
 * message addressed to it by name; `*` covers the others.
 */
function oneMessagePerDevice(targets: readonly ToDeviceTarget[], found: ReadonlyArray<{ target: number; userId: string; deviceId: string }>) {
  const named = new Set<string>();
  for (const f of found) if (targets[f.target].deviceId !== ALL_DEVICES) named.add(`${f.userId}\u0000${f.deviceId}`);
  const seen = new Set<string>();
  return found.filter((f) => {
    const key = `${f.userId}\u0000${f.deviceId}`;
    if (targets[f.target].deviceId === ALL_DEVICES && named.has(key)) return false;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Ids travel to the database as text and inside a jsonb parameter: NUL fits neither, and jsonb refuses a lone
 * surrogate's escape, so both are the client's error (400) rather than the database's (500).
 */
function isStorable(value: string): boolean {
  return !value.includes("\u0000") && value.isWellFormed();
}

function requireStorableId(value: string, field: string): void {
  if (!isStorable(value)) throw errors.invalidParam(`${field} must be valid Unicode without NUL characters`);
}

const MESSAGE_ID_BYTES = 12;
/**
 * How far past a write's positions the high-water mark is raised: a restart resumes from the mark, so at most
 * this many positions are skipped then (harmless: tokens only compare them).
 */
const RESERVED_POSITIONS = 100_000;

/** Random per message; also the message_id of an m.direct_to_device EDU (at most 32 code points), for receivers' dedupe. */
export function newMessageId(): string {
  return randomBytes(MESSAGE_ID_BYTES).toString("base64url");
}

/** `count` message ids from one draw of randomness (a draw per message was half of a big request's CPU time). */
export function newMessageIds(count: number): string[] {
  const bytes = randomBytes(MESSAGE_ID_BYTES * count);
  return Array.from({ length: count }, (_, i) => bytes.toString("base64url", i * MESSAGE_ID_BYTES, (i + 1) * MESSAGE_ID_BYTES));
}
