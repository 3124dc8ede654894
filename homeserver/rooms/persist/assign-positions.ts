import type { OrderedPublisher } from "../../streams/ordered-publisher.js";
import type { AcceptedEvent } from "./accepted-event.js";
import type { OutsidePositions } from "./outside-positions.js";

/**
 * One stream position per event: the next live positions for timeline events, negative ones for events
 * held outside the timeline. The live ones are taken last and in one synchronous step, so the caller can
 * release them (committed or not) without an await in between that could leave them in flight forever.
 */
export async function assignPositions(publisher: OrderedPublisher, outside: OutsidePositions, events: readonly AcceptedEvent[]): Promise<number[]> {
  const positions: number[] = new Array(events.length);
  for (const [i, event] of events.entries()) {
    if (event.placement.kind !== "timeline") positions[i] = await outside.allocate();
  }
  for (const [i, event] of events.entries()) {
    if (event.placement.kind === "timeline") positions[i] = publisher.allocate();
  }
  return positions;
}
