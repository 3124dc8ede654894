import type { EventStreamRange, OutboundEvents } from "../../homeserver/rooms/remote/outbound-events.js";
import type { OrderedPublisher } from "../../homeserver/streams/ordered-publisher.js";
import type { EduOutbox } from "../../homeserver/edus/edu-outbox.js";
import { DestinationQueue, type QueueDeps } from "./destination-queue.js";
import type { Edu, FederationOutbox } from "../../homeserver/edus/edu-contracts.js";
import type { Audience, Notifier } from "../../homeserver/streams/notifier.js";
import type { FederationClient } from "../client/federation-client.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { DurableEduSource } from "./durable-edu-outbox.js";
import type { DurableEduWaker } from "../../homeserver/edus/device-messages/index.js";

export interface FederationSenderDeps {
  serverName: string;
  clock: Clock;
  logger: Logger;
  /** Wakes the sender after each commit to the room event stream. */
  notifier: Pick<Notifier, "subscribe">;
  /** The room event stream's published position: where the sender starts and how far a queue may read. */
  eventStream: Pick<OrderedPublisher, "current">;
  /** The events a wake-up covers, to find where they go. */
  events: EventStreamRange;
  outbound: OutboundEvents;
  client: FederationClient;
  /** The core's EDU outbox: the sender is attached to it from start, and detaches when it stops. */
  outbox: Pick<EduOutbox, "attach">;
  /**
   * The durable EDU outbox (to-device messages, device list updates): the sender attaches itself at start, before
   * it looks for what waits there, so nothing committed meanwhile is missed.
   */
  durable?: DurableEduSource;
}

/**
 * The durable federation sender: follows the room event stream and keeps one queue per destination
 * (Synapse's per-destination queues are the model). Queues resume from their stored cursors at start.
 */
export class FederationSender implements FederationOutbox, DurableEduWaker {
  private readonly queues = new Map<string, DestinationQueue>();
  private readonly outbound: OutboundEvents;
  private lastSeen: number;
  /** Every event up to here has been routed to its destinations' queues. */
  private routedUpTo: number;
  private unsubscribe: (() => void) | undefined;
  private scanning: Promise<void> = Promise.resolve();

  constructor(private readonly deps: FederationSenderDeps) {
    this.outbound = deps.outbound;
    this.lastSeen = deps.eventStream.current;
    this.routedUpTo = this.lastSeen;
  }

  /**
   * Ephemeral EDUs ride along with the destination's next transaction. A queue made here starts at the
   * routed position: events not yet routed will still be routed to it by the scan that is under way.
   */
  sendEdu(destinations: Iterable<string>, edu: Edu, key?: string): void {
    for (const destination of destinations) {
      if (destination === this.deps.serverName) continue;
      this.queueFor(destination, this.routedUpTo).addEdu(edu, key);
    }
  }

  /** Durable EDUs were committed for these destinations: their queues read them with their next transaction. */
  durableEdusQueued(destinations: ReadonlySet<string>): void {
    for (const destination of destinations) {
      if (destination === this.deps.serverName) continue;
      this.queueFor(destination, this.routedUpTo).wakeDurable();
    }
  }

  async start(): Promise<void> {
    for (const row of await this.outbound.loadDestinations()) {
      this.queueFor(row.destination, row.lastSentStreamPos).wake();
    }
    if (this.deps.durable) {
      this.deps.durable.attach(this);
      // What waited at our last stop (or was queued while no sender ran) goes now.
      this.durableEdusQueued(new Set(await this.deps.durable.destinationsWithPending()));
    }
    this.unsubscribe = this.deps.notifier.subscribe((stream, position, audience) => {
      if (stream !== "events" || position <= this.lastSeen) return;
      const from = this.lastSeen;
      this.lastSeen = position;
      const users = [...(audience.users ?? [])];
      if (users.length > 0) for (const roomId of audience.rooms ?? []) this.outbound.membershipChanged(roomId);
      // A room with only our users (the common case on a small server) needs no read of the new events.
      if (from === this.routedUpTo && this.onlyLocal(audience)) {
        this.routedUpTo = position;
        return;
      }
      this.scanning = this.scanning.then(() => this.routeNewEvents(from, position)).then(() => {
        this.routedUpTo = Math.max(this.routedUpTo, position);
      }).catch((error) => {
        this.deps.logger.error({ err: error }, "federation sender failed to route new events");
      });
    });
  }

  /** A request from `origin` just arrived: it is up, so stop backing off and send what it is owed. */
  peerIsUp(origin: string): void {
    this.queues.get(origin)?.wake(true);
  }

  stop(): void {
    this.unsubscribe?.();
    this.deps.outbox.attach(undefined);
    this.deps.durable?.attach(undefined);
    for (const queue of this.queues.values()) queue.stop();
  }

  /**
   * True when nobody outside this server can be owed the events of this wake-up: every room named has only
   * local members joined (read from memory, no I/O) and every user named is ours. Unknown rooms count as remote.
   */
  private onlyLocal(audience: Audience): boolean {
    const local = `:${this.deps.serverName}`;
    for (const user of audience.users ?? []) if (!user.endsWith(local)) return false;
    const rooms = [...(audience.rooms ?? [])];
    if (rooms.length === 0) return false;
    return rooms.every((roomId) => this.outbound.joinedServersNow(roomId)?.size === 0);
  }

  private async routeNewEvents(from: number, to: number): Promise<void> {
    const local = `:${this.deps.serverName}`;
    const events = await this.deps.events.streamRange(from, to);
    const destinations = new Map<string, number>();
    for (const event of events) {
      if (!event.pdu.sender.endsWith(local)) continue;
      const roomId = event.pdu.room_id ?? `!${event.pdu.event_id.slice(1)}`;
      for (const destination of await this.outbound.destinationsFor(roomId, event.pdu)) {
        if (!destinations.has(destination)) destinations.set(destination, event.streamPos - 1);
      }
    }
    for (const [destination, before] of destinations) this.queueFor(destination, before).wake();
  }

  private queueFor(destination: string, startAfter: number): DestinationQueue {
    let queue = this.queues.get(destination);
    if (!queue) {
      const deps: QueueDeps = {
        client: this.deps.client,
        outbound: this.outbound,
        clock: this.deps.clock,
        logger: this.deps.logger,
        currentPosition: () => this.deps.eventStream.current,
        durable: this.deps.durable,
      };
      queue = new DestinationQueue(deps, { destination, lastSentStreamPos: startAfter, retryAtTs: null, retryIntervalMs: 0 });
      this.queues.set(destination, queue);
    }
    return queue;
  }
}
