import type { AppContext } from "../../homeserver/app/app-context.js";
import { FederationSender } from "./federation-sender.js";

/** Starts the durable sender and makes it reachable from the federation routes (for peerIsUp). */
export async function startFederationSender(ctx: AppContext): Promise<FederationSender> {
  const sender = new FederationSender(ctx);
  await sender.start();
  ctx.federation.sender = sender;
  ctx.edus.outbox.attach(sender);
  return sender;
}
