import type { CoreContext } from "../../core/core-context.js";
import type { OutgoingHttp } from "../../core/outgoing-http.js";
import type { Stores } from "../../storage/stores/stores.js";
import type { LiveDevices } from "../../sync/live-devices.js";
import { BadgeCount } from "./badge-count.js";
import { EventContexts } from "./event-context.js";
import { httpPushGatewayClient, type PushGatewayClient } from "./gateway-client.js";
import { PusherLoop } from "./pusher-loop.js";
import { PusherService } from "./pusher-service.js";

export { PusherService } from "./pusher-service.js";
export { PusherLoop } from "./pusher-loop.js";
export type { PushGatewayClient, NotifyBody } from "./gateway-client.js";

export interface Pushers {
  /** GET /pushers and POST /pushers/set. */
  service: PusherService;
  /** The delivery loop: app/ wakes it from the notifier and the receipts path, starts and stops it. */
  loop: PusherLoop;
}

export interface PusherInputs {
  stores: Pick<Stores, "pushers" | "pushActions" | "rooms" | "events" | "currentState">;
  /** The sync layer's view of which devices it is serving now. */
  live: LiveDevices;
  /** The guarded fetcher for user-supplied URLs; `gateway` replaces the client built on it (tests). */
  outgoingHttp: OutgoingHttp;
  gateway?: PushGatewayClient;
}

export function createPushers(core: CoreContext, inputs: PusherInputs): Pushers {
  const { stores } = inputs;
  const config = () => core.config.push.pushers;
  const position = () => core.streams.events.current;
  const loop = new PusherLoop({
    store: stores.pushers,
    contexts: new EventContexts({ currentState: stores.currentState, events: stores.events }),
    badge: new BadgeCount({ rooms: stores.rooms, pushActions: stores.pushActions, position, groupByRoom: () => core.config.push.group_unread_count_by_room }),
    gateway: inputs.gateway ?? httpPushGatewayClient(inputs.outgoingHttp, () => config().request_timeout_ms),
    live: inputs.live,
    config,
    clock: core.clock,
    position,
    logger: core.logger,
  });
  const service = new PusherService({ database: core.database, store: stores.pushers, clock: core.clock, eventsPosition: position, changes: loop });
  return { service, loop };
}
