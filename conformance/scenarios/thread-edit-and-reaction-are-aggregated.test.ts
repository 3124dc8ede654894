import { ClientPrefix, Direction, EventType, Method, MsgType, Preset, RelationType, type IRequestOpts, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFullClient, stopFullClient, waitFor, waitForRoom } from "../support/full-client.js";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { sendText } from "../support/send-text.js";

interface ThreadAggregation {
  latest_event: { event_id: string; sender: string };
  count: number;
  current_user_participated: boolean;
}

interface WireEvent {
  event_id: string;
  unsigned?: { "m.relations"?: { "m.thread"?: ThreadAggregation; "m.replace"?: { event_id: string; sender: string } } };
}

/**
 * Threads, edits and reactions as Element sends them (the spec's m.thread, m.replace and m.annotation), and what
 * the server gives back: bundled aggregations (m.thread and m.replace; reactions are not aggregated by servers
 * since v1.7) on /event, /messages and a limited initial sync, the children through /relations, the thread
 * through /threads, and a threaded read receipt accepted.
 */
describe("a thread, an edit and a reaction", () => {
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  let root: string;
  const replies: string[] = [];
  let edit: string;
  let reaction: string;
  const started: MatrixClient[] = [];

  beforeAll(async () => {
    [alice, bob] = (await registerUsers(2, "threads")) as [TestUser, TestUser];
    ({ room_id: roomId } = await alice.client.createRoom({ preset: Preset.PublicChat, name: "threads" }));
    await bob.client.joinRoom(roomId);
    // More events than the initial sync's 20 before the thread, so that sync's timeline is limited and carries
    // the bundled aggregations (the spec asks for them on limited timelines).
    for (let i = 0; i < 20; i++) await sendText(alice.client, roomId, `filler ${i}`);
    root = await sendText(alice.client, roomId, "shall we thread?");
    for (const body of ["yes", "in a thread"]) {
      // As Element sends a thread reply: the thread relation with the reply fallback for unthreaded clients.
      const relatesTo = { rel_type: RelationType.Thread, event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } };
      const { event_id } = await bob.client.sendEvent(roomId, EventType.RoomMessage, {
        msgtype: MsgType.Text,
        body,
        "m.relates_to": relatesTo as { rel_type: RelationType.Thread; event_id: string },
      });
      replies.push(event_id);
    }
    ({ event_id: edit } = await alice.client.sendEvent(roomId, EventType.RoomMessage, {
      msgtype: MsgType.Text,
      body: "* shall we thread? (edited)",
      "m.new_content": { msgtype: MsgType.Text, body: "shall we thread? (edited)" },
      "m.relates_to": { rel_type: RelationType.Replace, event_id: root },
    }));
    ({ event_id: reaction } = await bob.client.sendEvent(roomId, EventType.Reaction, {
      "m.relates_to": { rel_type: RelationType.Annotation, event_id: root, key: "👍" },
    }));
  });

  afterAll(() => {
    for (const client of started.splice(0)) stopFullClient(client);
  });

  const expectBundled = (event: WireEvent | undefined, reader: TestUser) => {
    const relations = event?.unsigned?.["m.relations"];
    expect(relations?.["m.thread"]?.count).toBe(2);
    expect(relations?.["m.thread"]?.latest_event.event_id).toBe(replies[1]);
    expect(relations?.["m.thread"]?.current_user_participated).toBe(reader === alice || reader === bob);
    expect(relations?.["m.replace"]?.event_id).toBe(edit);
    expect(relations?.["m.replace"]?.sender).toBe(alice.userId);
  };

  it("a threaded read receipt is accepted", async () => {
    const path = `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(replies[1])}`;
    const response = await bob.client.http.authedRequest(Method.Post, path, undefined, { thread_id: root });
    expect(response).toEqual({});
  });

  it("GET /event and /messages bundle the thread summary and the latest edit with the root", async () => {
    expectBundled((await alice.client.fetchRoomEvent(roomId, root)) as WireEvent, alice);
    const page = await bob.client.createMessagesRequest(roomId, null, 30, Direction.Backward);
    expectBundled(page.chunk.find((e) => e.event_id === root) as WireEvent | undefined, bob);
  });

  it("GET /relations gives the thread's events and the reaction", async () => {
    const thread = await alice.client.fetchRelations(roomId, root, RelationType.Thread, null);
    expect(thread.chunk.map((e) => e.event_id)).toEqual([replies[1], replies[0]]);
    const annotations = await alice.client.relations(roomId, root, RelationType.Annotation, null);
    const keys = annotations.events.map((e: MatrixEvent) => [e.getId(), e.getRelation()?.key]);
    expect(keys).toEqual([[reaction, "👍"]]);
  });

  it("GET /threads lists the root with its aggregation", async () => {
    const response = await alice.client.http.authedRequest<{ chunk: WireEvent[] }>(
      Method.Get,
      `/rooms/${encodeURIComponent(roomId)}/threads`,
      { include: "all", limit: "10" },
      undefined,
      // The SDK types every option of fetch as required here; only the prefix matters (/threads is v1 only).
      { prefix: ClientPrefix.V1 } as IRequestOpts,
    );
    expect(response.chunk.map((e) => e.event_id)).toEqual([root]);
    expect(response.chunk[0].unsigned?.["m.relations"]?.["m.thread"]?.count).toBe(2);
  });

  it("matrix-js-sdk's full client sees the thread, the edit and the reaction", async () => {
    const client = await startFullClient(bob);
    started.push(client);
    const room = await waitForRoom(client, roomId);
    const rootEvent = await waitFor(client, () => room.findEventById(root), "the root in the timeline");
    expect(rootEvent.getServerAggregatedRelation<ThreadAggregation>(RelationType.Thread)?.count).toBe(2);
    expect(rootEvent.replacingEventId()).toBe(edit);
    // The thread's own timeline (which the SDK fills through /relations) holds both replies.
    const thread = await waitFor(client, () => room.getThread(root) ?? undefined, "the thread");
    await waitFor(
      client,
      () => (replies.every((id) => thread.liveTimeline.getEvents().some((e) => e.getId() === id)) ? true : undefined),
      "both replies in the thread's timeline",
    );
    expect(thread.rootEvent?.getId()).toBe(root);
    const reactions = await waitFor(
      client,
      () => room.relations.getChildEventsForEvent(root, RelationType.Annotation, EventType.Reaction),
      "the reaction",
    );
    expect(reactions.getRelations().map((e) => e.getId())).toEqual([reaction]);
  });
});
