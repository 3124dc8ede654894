import { Preset } from "matrix-js-sdk";
import { describe, expect, it } from "vitest";
import { registerUser } from "../support/register-user.js";
import { paginateBackwards } from "../support/room-history.js";
import { sendText } from "../support/send-text.js";

describe("back-pagination with /messages", () => {
  it("paginating backwards from the end of a room reaches m.room.create, each event once, in order", async () => {
    const user = await registerUser("paginate");
    const { room_id: roomId } = await user.client.createRoom({ preset: Preset.PrivateChat, name: "history" });
    const sent: string[] = [];
    for (let i = 0; i < 25; i++) {
      sent.push(await sendText(user.client, roomId, `history ${i}`));
    }

    const pageSize = 7;
    const { newestFirst, pages, largestPage } = await paginateBackwards(user.client, roomId, { pageSize });
    const oldestFirst = [...newestFirst].reverse();
    const ids = oldestFirst.map((e) => e.event_id);

    expect(largestPage).toBeLessThanOrEqual(pageSize);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(ids).size, "an event appeared on two pages").toBe(ids.length);
    expect(oldestFirst[0]?.type).toBe("m.room.create");
    expect(oldestFirst.filter((e) => e.type === "m.room.create")).toHaveLength(1);
    expect(ids.filter((id) => sent.includes(id))).toEqual(sent);
    expect(ids.at(-1)).toBe(sent.at(-1));
  });
});
