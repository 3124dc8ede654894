import { describe, expect, it } from "vitest";
import { zeroPositions } from "../../streams/sync-token.js";
import type { JoinedRoomJson, LeftRoomJson } from "../../../schemas/client/sync/get-sync.js";
import { syncFilterOf } from "../../core/filters.js";
import { hasContent, SyncBuilder } from "../sync-builder.js";
import type { SyncDeps, SyncScope } from "../sync-context.js";
import { NOTHING, type StreamContribution, type SyncDraft, type SyncStreamProvider, type WindowNews } from "./provider.js";
import { ResponseParts } from "./response-parts.js";

const scope: SyncScope = { userId: "@u:test.local", deviceId: "D", filter: syncFilterOf(), initial: true, fullState: false, useStateAfter: false, now: 0 };
/** A user in no room: the builder reads only their memberships. */
const noRooms: Pick<SyncDeps, "memberships"> = {
  memberships: { at: async () => new Map(), changesBetween: async () => [] } as unknown as SyncDeps["memberships"],
};

function provider(stream: SyncStreamProvider["stream"], parts: { first?: StreamContribution; second?: (draft: SyncDraft) => StreamContribution; news?: WindowNews; delayMs?: number }) {
  const seen: SyncDraft[] = [];
  const p: SyncStreamProvider & { collected: number; seen: SyncDraft[] } = {
    stream,
    perUser: true,
    collected: 0,
    seen,
    news: () => parts.news ?? "stream",
    collect: async () => {
      p.collected += 1;
      await new Promise((resolve) => setTimeout(resolve, parts.delayMs ?? 0));
      return parts.first ?? NOTHING;
    },
    complete: parts.second
      ? async (_request, draft) => {
          seen.push(draft);
          return parts.second!(draft);
        }
      : undefined,
  };
  return p;
}

describe("sync stream providers", () => {
  it("the response lists each provider's parts in provider order, whatever order their reads finish in", async () => {
    const slow = provider("toDevice", { first: { top: { to_device: { events: [{ n: 1 }] } } }, delayMs: 20 });
    const fast = provider("deviceLists", { first: { top: { device_lists: { changed: ["@a:x"] } } } });
    const builder = new SyncBuilder(noRooms as SyncDeps, [slow, fast]);
    const response = await builder.build(scope, undefined, zeroPositions());
    expect(JSON.stringify(response)).toBe('{"next_batch":"s0_0_0_0_0_0_0","to_device":{"events":[{"n":1}]},"device_lists":{"changed":["@a:x"]}}');
    expect(hasContent(response)).toBe(true);
  });

  it("a stream with no news is not read, its second pass still runs and sees the first passes' parts; nothing contributed is no content", async () => {
    const quiet = provider("toDevice", { first: { top: { to_device: { events: [{ n: 1 }] } } }, news: "none" });
    const first = provider("deviceLists", { first: { roomParts: new Map([["!r:x", { ephemeral: { events: [{ type: "m.typing", content: {} }] } }]]) } });
    const second = provider("presence", { second: () => NOTHING });
    const builder = new SyncBuilder(noRooms as SyncDeps, [quiet, first, second]);
    const response = await builder.build(scope, undefined, zeroPositions());
    expect(quiet.collected).toBe(0);
    expect([...second.seen[0].roomParts.keys()]).toEqual(["!r:x"]);
    // A room part with no room section to go into is left out.
    expect(response).toEqual({ next_batch: "s0_0_0_0_0_0_0" });
    expect(hasContent(response)).toBe(false);
  });

  it("room parts of several providers are joined in provider order and put in their place in the section", () => {
    const parts = new ResponseParts(3);
    const joined: JoinedRoomJson = { summary: {}, timeline: { events: [] }, ephemeral: { events: [] }, account_data: { events: [] }, unread_notifications: {} };
    const left: LeftRoomJson = { timeline: { events: [] }, account_data: { events: [] } };
    const receipt = { type: "m.receipt", content: {} };
    const typing = { type: "m.typing", content: {} };
    const tag = { type: "m.tag", content: {} };
    parts.add(2, { roomParts: new Map([["!j:x", { ephemeral: { events: [typing] } }]]) });
    parts.add(1, {
      roomParts: new Map([
        ["!j:x", { ephemeral: { events: [receipt] }, account_data: { events: [tag] } }],
        ["!l:x", { ephemeral: { events: [receipt] }, account_data: { events: [tag] } }],
      ]),
    });
    parts.add(0, { top: { rooms: { join: { "!j:x": joined }, leave: { "!l:x": left } } } });
    const response = parts.response("s1");
    expect(JSON.stringify(response.rooms!.join!["!j:x"])).toBe(
      '{"summary":{},"timeline":{"events":[]},"ephemeral":{"events":[{"type":"m.receipt","content":{}},{"type":"m.typing","content":{}}]},"account_data":{"events":[{"type":"m.tag","content":{}}]},"unread_notifications":{}}',
    );
    // A left room has no place for ephemeral.
    expect(JSON.stringify(response.rooms!.leave!["!l:x"])).toBe('{"timeline":{"events":[]},"account_data":{"events":[{"type":"m.tag","content":{}}]}}');
  });

  it("a provider's two passes add to one part of the response", () => {
    const parts = new ResponseParts(2);
    const a = { type: "m.presence", content: { n: 1 } };
    const b = { type: "m.presence", content: { n: 2 } };
    parts.add(1, { top: { presence: { events: [a] } } });
    parts.add(0, { top: { account_data: { events: [] } } });
    parts.add(1, { top: { presence: { events: [b] } } });
    expect(parts.draft().top.presence).toEqual({ events: [a, b] });
    expect(Object.keys(parts.response("s1"))).toEqual(["next_batch", "account_data", "presence"]);
  });
});
