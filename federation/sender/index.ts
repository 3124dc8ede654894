import { OutboundEvents, type EventStreamRange } from "../../homeserver/rooms/remote/outbound-events.js";
import type { OrderedPublisher } from "../../homeserver/streams/ordered-publisher.js";
import type { EduOutbox } from "../../homeserver/edus/edu-outbox.js";
import type { FederationServices } from "../services.js";
import { FederationSender, type FederationSenderDeps } from "./federation-sender.js";
import type { DurableEduSource } from "./durable-edu-outbox.js";

/**
 * What the sender is started from: the core pieces it follows and the outgoing services it sends with, shaped
 * as app/ composes them. OutboundEvents (the core's) says for itself what it is built from.
 */
export type FederationSenderContext = ConstructorParameters<typeof OutboundEvents>[0] &
  Pick<FederationSenderDeps, "serverName" | "clock" | "logger" | "notifier"> & {
    streams: { events: Pick<OrderedPublisher, "current"> };
    rooms: { persister: ConstructorParameters<typeof OutboundEvents>[1] };
    stores: { events: EventStreamRange } & ConstructorParameters<typeof OutboundEvents>[2];
    edus: { outbox: Pick<EduOutbox, "attach"> };
    deviceFederation: { outbox: DurableEduSource };
    federation: Pick<FederationServices, "client" | "sender">;
  };

/** Starts the durable sender and makes it reachable from the federation routes (for peerIsUp). */
export async function startFederationSender(ctx: FederationSenderContext): Promise<FederationSender> {
  const sender = new FederationSender({
    serverName: ctx.serverName,
    clock: ctx.clock,
    logger: ctx.logger,
    notifier: ctx.notifier,
    eventStream: ctx.streams.events,
    events: ctx.stores.events,
    outbound: new OutboundEvents(ctx, ctx.rooms.persister, ctx.stores),
    client: ctx.federation.client,
    outbox: ctx.edus.outbox,
    durable: ctx.deviceFederation.outbox,
  });
  await sender.start();
  ctx.federation.sender = sender;
  ctx.edus.outbox.attach(sender);
  return sender;
}
