import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, testDrivers, type DriverName, type TestApp } from "../../../homeserver/app/test-app.js";
import { freePort, LOOPBACK_FEDERATION } from "../../../homeserver/app/testing/loopback-server.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { RemoteMediaClient } from "../../client/remote-media-client.js";
import { multipartBoundary, parseMultipartMixed } from "../../client/multipart-mixed.js";
import { federationPath } from "../../client/federation-client.js";

interface MediaPeer {
  app: TestApp;
  name: string;
  dir: string;
}

async function startMediaPeer(driver: DriverName): Promise<MediaPeer> {
  const port = await freePort();
  const name = `127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), "myelin-media-fed-"));
  const app = await createTestApp(driver, { server_name: name, federation: LOOPBACK_FEDERATION, media: { path: dir } }, undefined, { federationSender: false });
  await app.http.listen({ port, host: "127.0.0.1" });
  return { app, name, dir };
}

/** A federation media answer as the spec shapes it: JSON metadata, then the file. */
function multipartMedia(contentType: string, body: Buffer, preamble = ""): { contentType: string; payload: Buffer } {
  const boundary = "fakepeerboundary";
  const payload = Buffer.concat([
    Buffer.from(`${preamble}--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`),
    body,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { contentType: `multipart/mixed; boundary=${boundary}`, payload };
}

/** The paths `peer` asks other servers for from now on (its federation client, spied on). */
function outgoingPaths(peer: MediaPeer): { paths: string[]; restore(): void } {
  const paths: string[] = [];
  const client = peer.app.ctx.federation.client;
  const original = client.requestRaw.bind(client);
  const spy = vi.spyOn(client, "requestRaw").mockImplementation((request, accept) => {
    paths.push(request.path);
    return original(request, accept);
  });
  return { paths, restore: () => spy.mockRestore() };
}

async function stop(peer: MediaPeer | undefined): Promise<void> {
  if (!peer) return;
  await peer.app.ctx.media.idle();
  await peer.app.dispose();
  await rm(peer.dir, { recursive: true, force: true });
}

describe.each(testDrivers())("media over federation on %s", (driver) => {
  let origin: MediaPeer;
  let other: MediaPeer;
  let alice: TestUser;
  let bob: TestUser;
  let image: Buffer;
  let mediaId: string;

  beforeAll(async () => {
    [origin, other] = await Promise.all([startMediaPeer(driver), startMediaPeer(driver)]);
    alice = await registerTestUser(origin.app.http);
    bob = await registerTestUser(other.app.http);
    image = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 0, g: 90, b: 200 } } }).png().toBuffer();
    const uploaded = await origin.app.http.inject({
      method: "POST",
      url: "/_matrix/media/v3/upload?filename=blue.png",
      headers: { ...bearer(alice), "content-type": "image/png" },
      payload: image,
    });
    mediaId = (uploaded.json().content_uri as string).split("/").pop()!;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([stop(origin), stop(other)]);
  });

  it("serves our media to a signed request as multipart/mixed: JSON metadata, then the file", async () => {
    const response = await other.app.ctx.federation.client.requestRaw(
      { method: "GET", destination: origin.name, path: federationPath`/_matrix/federation/v1/media/download/${mediaId}` },
      "multipart/mixed",
    );
    expect(response.status).toBe(200);
    const boundary = multipartBoundary(response.headers["content-type"] as string);
    expect(boundary).toBeDefined();
    const parts = parseMultipartMixed(response.bytes!, boundary!)!;
    expect(parts).toHaveLength(2);
    expect(parts[0].headers["content-type"]).toBe("application/json");
    expect(JSON.parse(parts[0].body.toString())).toEqual({});
    expect(parts[1].headers["content-type"]).toBe("image/png");
    expect(parts[1].headers["content-disposition"]).toBe("inline; filename=blue.png");
    expect(parts[1].body.equals(image)).toBe(true);
  });

  it("refuses unsigned requests to the federation media endpoints", async () => {
    const response = await origin.app.http.inject({ method: "GET", url: `/_matrix/federation/v1/media/download/${mediaId}` });
    expect(response.statusCode).toBe(401);
  });

  it("serves thumbnails of our media to other servers", async () => {
    const response = await other.app.ctx.federation.client.requestRaw(
      { method: "GET", destination: origin.name, path: federationPath`/_matrix/federation/v1/media/thumbnail/${mediaId}`, query: { width: 96, height: 96, method: "crop" } },
      "multipart/mixed",
    );
    expect(response.status).toBe(200);
    const parts = parseMultipartMixed(response.bytes!, multipartBoundary(response.headers["content-type"] as string)!)!;
    const meta = await sharp(parts[1].body).metadata();
    expect([meta.width, meta.height]).toEqual([96, 96]);
  });

  it("lets a user of another server download it, fetching it once over federation and keeping a copy", async () => {
    const url = `/_matrix/client/v1/media/download/${origin.name}/${mediaId}`;
    const [first, second] = await Promise.all([
      other.app.http.inject({ method: "GET", url, headers: bearer(bob) }),
      other.app.http.inject({ method: "GET", url, headers: bearer(bob) }),
    ]);
    for (const response of [first, second]) {
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(image)).toBe(true);
      expect(response.headers["content-type"]).toBe("image/png");
      expect(response.headers["content-disposition"]).toBe("inline; filename=blue.png");
    }
    const copy = await other.app.ctx.stores.media.get(origin.name, mediaId);
    expect(copy?.isRemote).toBe(true);
    // The copy is served from now on, even if the origin goes away.
    const thumbnail = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/thumbnail/${origin.name}/${mediaId}?width=32&height=32&method=crop`, headers: bearer(bob) });
    expect(thumbnail.statusCode).toBe(200);
    expect((await sharp(thumbnail.rawPayload).metadata()).width).toBe(32);
  });

  it("answers 404 for remote media the origin does not have, and never serves copies on to other servers", async () => {
    const unknown = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/${origin.name}/NoSuchMediaHere`, headers: bearer(bob) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errcode).toBe("M_NOT_FOUND");
    // `other` holds a copy of origin's media, but asked over federation it only answers for its own.
    const response = await origin.app.ctx.federation.client.requestRaw(
      { method: "GET", destination: other.name, path: federationPath`/_matrix/federation/v1/media/download/${mediaId}` },
      "multipart/mixed",
    );
    expect(response.status).toBe(404);
  });

  it("asks the origin for the thumbnail of remote media it does not hold, keeps it, and never fetches the original for it", async () => {
    const green = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 0, g: 200, b: 40 } } }).png().toBuffer();
    const uploaded = await origin.app.http.inject({ method: "POST", url: "/_matrix/media/v3/upload", headers: { ...bearer(alice), "content-type": "image/png" }, payload: green });
    const greenId = (uploaded.json().content_uri as string).split("/").pop()!;
    const url = `/_matrix/client/v1/media/thumbnail/${origin.name}/${greenId}?width=96&height=96&method=crop`;
    const outgoing = outgoingPaths(other);
    try {
      const first = await other.app.http.inject({ method: "GET", url, headers: bearer(bob) });
      expect(first.statusCode).toBe(200);
      expect(first.headers["content-type"]).toBe("image/png");
      expect([(await sharp(first.rawPayload).metadata()).width, (await sharp(first.rawPayload).metadata()).height]).toEqual([96, 96]);
      expect(outgoing.paths).toEqual([`/_matrix/federation/v1/media/thumbnail/${greenId}`]);
      const row = await other.app.ctx.stores.media.get(origin.name, greenId);
      expect(row?.isRemote).toBe(true);
      expect(row?.sha256).toBeNull();
      expect(await other.app.ctx.stores.media.thumbnails(origin.name, greenId)).toHaveLength(1);
      // Kept: asked again, it is served without asking the origin.
      const again = await other.app.http.inject({ method: "GET", url, headers: bearer(bob) });
      expect(again.statusCode).toBe(200);
      expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
      expect(outgoing.paths).toHaveLength(1);
      // The original is still fetched when a user downloads it, into the same row.
      const download = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/${origin.name}/${greenId}`, headers: bearer(bob) });
      expect(download.statusCode).toBe(200);
      expect(download.rawPayload.equals(green)).toBe(true);
      expect(outgoing.paths).toEqual([`/_matrix/federation/v1/media/thumbnail/${greenId}`, `/_matrix/federation/v1/media/download/${greenId}`]);
      expect((await other.app.ctx.stores.media.get(origin.name, greenId))?.sha256).not.toBeNull();
    } finally {
      outgoing.restore();
    }
  });

  it("answers 502 for a thumbnail when the origin cannot be reached, asking it once", async () => {
    const port = await freePort();
    const outgoing = outgoingPaths(other);
    try {
      const response = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/thumbnail/127.0.0.1:${port}/SomeMedia?width=32&height=32`, headers: bearer(bob) });
      expect(response.statusCode).toBe(502);
      expect(outgoing.paths).toEqual(["/_matrix/federation/v1/media/thumbnail/SomeMedia"]);
    } finally {
      outgoing.restore();
    }
  });

  describe("an origin that cannot thumbnail", () => {
    let peer: FastifyInstance;
    let peerName: string;
    let picture: Buffer;

    beforeAll(async () => {
      const port = await freePort();
      peerName = `127.0.0.1:${port}`;
      picture = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 250, g: 200, b: 0 } } }).png().toBuffer();
      peer = Fastify();
      // As Synapse does for media it has no thumbnails of: 404. And one that sends a page as "thumbnail".
      peer.get<{ Params: { mediaId: string } }>("/_matrix/federation/v1/media/thumbnail/:mediaId", async (request, reply) => {
        if (request.params.mediaId === "PageAsThumbnail") {
          const { contentType, payload } = multipartMedia("text/html", Buffer.from("<script>alert(1)</script>"));
          return reply.header("content-type", contentType).send(payload);
        }
        return reply.code(404).send({ errcode: "M_NOT_FOUND", error: "Not found" });
      });
      peer.get<{ Params: { mediaId: string } }>("/_matrix/federation/v1/media/download/:mediaId", async (request, reply) => {
        // Synapse opens its multipart body with a CRLF before the first delimiter (an empty preamble, RFC 2046).
        const { contentType, payload } = multipartMedia("image/png", picture, request.params.mediaId === "AsSynapseSends" ? "\r\n" : "");
        return reply.header("content-type", contentType).send(payload);
      });
      await peer.listen({ port, host: "127.0.0.1" });
    });
    afterAll(() => peer.close());

    it("reads a multipart answer whose body opens with a CRLF before the first delimiter, as Synapse's does", async () => {
      const response = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/${peerName}/AsSynapseSends`, headers: bearer(bob) });
      expect(response.statusCode).toBe(200);
      expect(response.rawPayload.equals(picture)).toBe(true);
    });

    it.each(["NoThumbnails", "PageAsThumbnail"])("gets the original of %s and thumbnails it here", async (mediaId) => {
      const response = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/thumbnail/${peerName}/${mediaId}?width=32&height=32&method=crop`, headers: bearer(bob) });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("image/png");
      expect((await sharp(response.rawPayload).metadata()).width).toBe(32);
      expect((await other.app.ctx.stores.media.get(peerName, mediaId))?.sha256).not.toBeNull();
    });
  });

  it("answers 502 when the origin cannot be reached", async () => {
    const port = await freePort();
    const response = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/127.0.0.1:${port}/SomeMedia`, headers: bearer(bob) });
    expect(response.statusCode).toBe(502);
  });

  describe("a peer without the federation media endpoints", () => {
    let legacyPeer: FastifyInstance;
    let legacyName: string;
    const seen: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      legacyName = `127.0.0.1:${port}`;
      legacyPeer = Fastify();
      legacyPeer.addHook("onRequest", async (request) => void seen.push(request.url));
      legacyPeer.get("/_matrix/federation/v1/media/download/:mediaId", async (_request, reply) => reply.code(404).send({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }));
      legacyPeer.get("/_matrix/media/v3/download/:serverName/:mediaId", async (_request, reply) =>
        reply.header("content-type", "text/plain").header("content-disposition", "attachment; filename*=utf-8''caf%C3%A9.txt").send("old server bytes"),
      );
      legacyPeer.get("/_matrix/federation/v1/media/thumbnail/:mediaId", async (_request, reply) => reply.code(404).send({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }));
      const oldThumbnail = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer();
      legacyPeer.get("/_matrix/media/v3/thumbnail/:serverName/:mediaId", async (_request, reply) => reply.header("content-type", "image/jpeg").send(oldThumbnail));
      await legacyPeer.listen({ port, host: "127.0.0.1" });
    });
    afterAll(() => legacyPeer.close());

    it("is asked on the legacy download path with allow_remote=false", async () => {
      const client = new RemoteMediaClient(other.app.ctx.federation.client);
      const body = await client.download(legacyName, "OldMedia", { maxBytes: 1024, timeoutMs: 5000 });
      expect(body.bytes.toString()).toBe("old server bytes");
      expect(body.contentType).toBe("text/plain");
      expect(body.fileName).toBe("café.txt");
      expect(seen).toContain(`/_matrix/media/v3/download/${encodeURIComponent(legacyName)}/OldMedia?allow_remote=false&timeout_ms=5000`);
    });

    it("is asked for thumbnails on the legacy thumbnail path, whose answer our user gets", async () => {
      const response = await other.app.http.inject({ method: "GET", url: `/_matrix/client/v1/media/thumbnail/${legacyName}/OldImage?width=32&height=32&method=crop`, headers: bearer(bob) });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("image/jpeg");
      expect((await sharp(response.rawPayload).metadata()).width).toBe(20);
      expect(seen).toContain(`/_matrix/media/v3/thumbnail/${encodeURIComponent(legacyName)}/OldImage?width=32&height=32&method=crop&timeout_ms=20000&allow_remote=false`);
      expect(seen.some((url) => url.startsWith("/_matrix/media/v3/download/") && url.includes("OldImage"))).toBe(false);
    });

    it("refuses a remote file over the size cap with 502 M_TOO_LARGE", async () => {
      const client = new RemoteMediaClient(other.app.ctx.federation.client);
      await expect(client.download(legacyName, "OldMedia", { maxBytes: 4, timeoutMs: 5000 })).rejects.toMatchObject({ errcode: "M_TOO_LARGE", status: 502 });
    });
  });
});
