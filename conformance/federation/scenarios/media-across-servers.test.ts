import { MsgType } from "matrix-js-sdk";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { directions, type PeerUser } from "../support/peers.js";
import { sharedRoom } from "../support/shared-room.js";

/** What a client fetches an mxc:// URI at: its own server's authenticated media endpoints (spec v1.11). */
async function fetchThroughOwnServer(user: PeerUser, contentUri: string, thumbnail?: { width: number; height: number; method: "crop" | "scale" }): Promise<Response> {
  const url = thumbnail
    ? user.client.mxcUrlToHttp(contentUri, thumbnail.width, thumbnail.height, thumbnail.method, false, true, true)
    : user.client.mxcUrlToHttp(contentUri, undefined, undefined, undefined, false, true, true);
  if (!url) throw new Error(`matrix-js-sdk made no URL of ${contentUri}`);
  if (!url.startsWith(user.peer.clientUrl)) throw new Error(`${url} is not on the user's own server ${user.peer.clientUrl}`);
  return fetch(url, { headers: { authorization: `Bearer ${user.accessToken}` } });
}

describe.each(directions())("media across servers ($label)", ({ host, guest }) => {
  it("an image uploaded and sent on one server is downloaded, and thumbnailed, by a member on the other through their own server", async () => {
    const { roomId, owner, visitor } = await sharedRoom(host, guest, "pictures across servers");
    const image = await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 200, g: 60, b: 20 } } }).png().toBuffer();
    const { content_uri: contentUri } = await owner.client.uploadContent(image, { type: "image/png", name: "orange.png" });
    expect(contentUri.startsWith(`mxc://${host.serverName}/`)).toBe(true);
    await owner.client.sendMessage(roomId, {
      msgtype: MsgType.Image,
      body: "orange.png",
      url: contentUri,
      info: { mimetype: "image/png", size: image.length, w: 640, h: 360 },
    });
    await visitor.sync.syncUntil(
      () => visitor.sync.timeline(roomId).some((e) => e.type === "m.room.message" && e.content.url === contentUri),
      () => "the remote member never saw the m.image event",
    );

    // The visitor's server fetches the file from its origin over federation (/_matrix/federation/v1/media/download).
    const download = await fetchThroughOwnServer(visitor, contentUri);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);

    // And a thumbnail: made by the origin (/media/thumbnail) or by the visitor's server from its copy.
    for (const request of [{ width: 96, height: 96, method: "crop" as const }, { width: 320, height: 240, method: "scale" as const }]) {
      const thumbnail = await fetchThroughOwnServer(visitor, contentUri, request);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get("content-type")).toMatch(/^image\/(png|jpeg|webp)$/);
      const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
      // The spec lets a server answer a larger thumbnail than asked, never one larger than the image.
      expect(meta.width).toBeGreaterThanOrEqual(Math.min(request.width, 320));
      expect(meta.width).toBeLessThanOrEqual(640);
      if (request.method === "scale") expect(Math.abs(meta.width! / meta.height! - 640 / 360)).toBeLessThan(0.05);
    }

    // The uploader's own server still serves it to its own user, and the copy did not replace the original.
    const own = await fetchThroughOwnServer(owner, contentUri);
    expect(own.status).toBe(200);
    expect(Buffer.from(await own.arrayBuffer()).equals(image)).toBe(true);
  });

  it("a thumbnail asked for first, before anyone downloaded the image, is served through the remote member's server", async () => {
    const { roomId, owner, visitor } = await sharedRoom(host, guest, "avatar-sized pictures across servers");
    const image = await sharp({ create: { width: 800, height: 800, channels: 3, background: { r: 30, g: 30, b: 220 } } }).jpeg().toBuffer();
    const { content_uri: contentUri } = await owner.client.uploadContent(image, { type: "image/jpeg", name: "blue.jpg" });
    await owner.client.sendMessage(roomId, { msgtype: MsgType.Image, body: "blue.jpg", url: contentUri, info: { mimetype: "image/jpeg", size: image.length, w: 800, h: 800 } });
    await visitor.sync.syncUntil(
      () => visitor.sync.timeline(roomId).some((e) => e.type === "m.room.message" && e.content.url === contentUri),
      () => "the remote member never saw the m.image event",
    );
    const thumbnail = await fetchThroughOwnServer(visitor, contentUri, { width: 32, height: 32, method: "crop" });
    expect(thumbnail.status).toBe(200);
    const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(meta.width).toBeGreaterThanOrEqual(32);
    expect(meta.width).toBe(meta.height);
    // Media the origin does not have is not found through the remote member's server either.
    const [, serverName] = /^mxc:\/\/([^/]+)\//.exec(contentUri)!;
    const missing = await fetchThroughOwnServer(visitor, `mxc://${serverName}/NoSuchMediaAnywhere`);
    expect(missing.status).toBe(404);
  });
});
