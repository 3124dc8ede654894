import type { CoreContext } from "../../core/core-context.js";
import type { RoomServices } from "../../rooms/index.js";
import type { EduHandler, FederationOutbox } from "../edu-contracts.js";
import type { PresenceService } from "../presence/presence-service.js";
import { TypingService } from "./typing-service.js";
import { TypingSyncSource } from "./typing-sync-source.js";

export { TypingService } from "./typing-service.js";

export interface TypingParts {
  service: TypingService;
  syncSource: TypingSyncSource;
  onEdu: EduHandler;
}

export function createTyping(core: CoreContext, deps: { rooms: RoomServices; outbox: FederationOutbox; presence: PresenceService }): TypingParts {
  const service = new TypingService(core, deps.rooms.persister, deps.outbox, (userId) => {
    // Typing is an action for presence (as in Synapse); a failure there must not fail the typing request.
    deps.presence.markActive(userId).catch((error: Error) => core.logger.warn({ err: error.message }, "presence update failed"));
  });
  return {
    service,
    syncSource: new TypingSyncSource(service.rooms),
    onEdu: (origin, content) => service.receiveEdu(origin, content),
  };
}
