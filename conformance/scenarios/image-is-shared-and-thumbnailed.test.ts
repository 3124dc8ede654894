import { MsgType, Preset } from "matrix-js-sdk";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { homeserverUrl } from "../support/homeserver-under-test.js";
import { registerUsers } from "../support/register-user.js";
import { SyncFollower } from "../support/sync-follower.js";

const mxcParts = (uri: string) => {
  const match = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(uri);
  if (!match) throw new Error(`not an mxc URI: ${uri}`);
  return { serverName: match[1], mediaId: match[2] };
};

describe("sharing an image in a room", () => {
  it("is uploaded, sent as m.image, seen by another member who fetches it and its thumbnail; the legacy endpoint refuses it", async () => {
    const [alice, bob] = await registerUsers(2, "media");
    const image = await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 20, g: 140, b: 60 } } }).png().toBuffer();

    const { content_uri: contentUri } = await alice.client.uploadContent(image, { type: "image/png", name: "green.png" });
    expect(contentUri).toMatch(/^mxc:\/\//);

    const { room_id: roomId } = await alice.client.createRoom({ preset: Preset.PrivateChat, invite: [bob.userId] });
    await bob.client.joinRoom(roomId);
    await alice.client.sendMessage(roomId, {
      msgtype: MsgType.Image,
      body: "green.png",
      url: contentUri,
      info: { mimetype: "image/png", size: image.length, w: 640, h: 360 },
    });

    const bobSync = new SyncFollower(bob.client);
    await bobSync.syncUntil(
      () => bobSync.timeline(roomId).some((e) => e.type === "m.room.message" && e.content.url === contentUri),
      () => "the other member never saw the m.image event",
    );

    const authorization = { authorization: `Bearer ${bob.accessToken}` };
    const download = await fetch(bob.client.mxcUrlToHttp(contentUri, undefined, undefined, undefined, false, true, true)!, { headers: authorization });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);
    expect(download.headers.get("content-type")).toBe("image/png");

    const thumbnailUrl = bob.client.mxcUrlToHttp(contentUri, 96, 96, "crop", false, true, true)!;
    const thumbnail = await fetch(thumbnailUrl, { headers: authorization });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get("content-type")).toMatch(/^image\/(png|jpeg|webp)$/);
    const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    // The spec lets a server answer a larger thumbnail than asked, never one larger than the image.
    expect(meta.width).toBeGreaterThanOrEqual(96);
    expect(meta.width).toBeLessThanOrEqual(640);

    // The authenticated endpoints need a token; the deprecated unauthenticated ones do not serve new media.
    expect((await fetch(thumbnailUrl)).status).toBe(401);
    const { serverName, mediaId } = mxcParts(contentUri);
    const legacy = await fetch(`${homeserverUrl()}/_matrix/media/v3/download/${serverName}/${mediaId}`);
    expect(legacy.status).toBe(404);
    expect(((await legacy.json()) as { errcode?: string }).errcode).toBe("M_NOT_FOUND");
  });
});
