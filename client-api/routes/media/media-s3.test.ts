import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, testDrivers, type TestApp } from "../../../homeserver/app/test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { S3StandIn } from "../../../homeserver/media/testing/s3-stand-in.js";

const CREDENTIALS = { bucket: "media", region: "local-1", accessKeyId: "AKIDROUTETEST", secretAccessKey: "route-test-secret" };

describe.each(testDrivers())("media routes over media.storage type s3 on %s", (driver) => {
  let s3: S3StandIn;
  let test: TestApp;
  let mediaDir: string;
  let alice: TestUser;

  beforeAll(async () => {
    s3 = new S3StandIn(CREDENTIALS);
    const endpoint = await s3.start();
    mediaDir = await mkdtemp(join(tmpdir(), "myelin-media-s3-test-"));
    const storage = { type: "s3", endpoint, bucket: CREDENTIALS.bucket, region: CREDENTIALS.region, access_key_id: CREDENTIALS.accessKeyId, secret_access_key: CREDENTIALS.secretAccessKey, path_style: true };
    test = await createTestApp(driver, { media: { path: mediaDir, storage } });
    alice = await registerTestUser(test.http);
  }, 180_000);
  afterAll(async () => {
    await test.ctx.media.idle();
    await test.dispose();
    await s3.stop();
    await rm(mediaDir, { recursive: true, force: true });
  });

  it("stores uploads in the bucket, serves them whole and by range, and keeps no file on the local disk", async () => {
    const bytes = Buffer.from("0123456789 in a bucket");
    const uploaded = await test.http.inject({ method: "POST", url: "/_matrix/media/v3/upload?filename=b.txt", headers: { ...bearer(alice), "content-type": "text/plain" }, payload: bytes });
    expect(uploaded.statusCode).toBe(200);
    const path = (uploaded.json().content_uri as string).slice("mxc://".length);
    expect([...s3.objects.values()].some((o) => o.body.equals(bytes))).toBe(true);
    const whole = await test.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/${path}`, headers: bearer(alice) });
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(bytes)).toBe(true);
    expect(whole.headers["content-disposition"]).toBe("inline; filename=b.txt");
    const partial = await test.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/${path}`, headers: { ...bearer(alice), range: "bytes=2-5" } });
    expect(partial.statusCode).toBe(206);
    expect(partial.body).toBe("2345");
    const local = await readdir(mediaDir, { recursive: true });
    expect(local.filter((name) => /[0-9a-f]{64}$|\.part$/.test(name))).toEqual([]);
    expect(s3.seen.every((request) => request.signed)).toBe(true);
  });

  it("makes thumbnails from the bucket's bytes and keeps them there", async () => {
    const image = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 10, g: 10, b: 200 } } }).png().toBuffer();
    const uploaded = await test.http.inject({ method: "POST", url: "/_matrix/media/v3/upload", headers: { ...bearer(alice), "content-type": "image/png" }, payload: image });
    const path = (uploaded.json().content_uri as string).slice("mxc://".length);
    await test.ctx.media.idle();
    // The recommended sizes made after the upload are in the bucket.
    const [serverName, mediaId] = path.split("/");
    const pregenerated = await test.ctx.stores.media.thumbnails(serverName, mediaId);
    expect(pregenerated.length).toBeGreaterThanOrEqual(3);
    const keys = [...s3.objects.keys()];
    for (const row of pregenerated) expect(keys.some((key) => key.endsWith(row.sha256))).toBe(true);
    const objectsAfterUpload = s3.objects.size;
    // A size none of those answers: made now, from the original read back from the bucket.
    const thumbnail = await test.http.inject({ method: "GET", url: `/_matrix/client/v1/media/thumbnail/${path}?width=150&height=150&method=crop`, headers: bearer(alice) });
    expect(thumbnail.statusCode).toBe(200);
    const made = await sharp(thumbnail.rawPayload).metadata();
    expect([made.width, made.height]).toEqual([150, 150]);
    expect(s3.objects.size).toBe(objectsAfterUpload + 1);
    expect([...s3.objects.values()].some((o) => o.body.equals(thumbnail.rawPayload))).toBe(true);
  });

  it("answers 404 M_NOT_FOUND, not a 5xx, when a file is gone from the bucket", async () => {
    const uploaded = await test.http.inject({ method: "POST", url: "/_matrix/media/v3/upload", headers: { ...bearer(alice), "content-type": "text/plain" }, payload: "soon gone from the bucket" });
    const path = (uploaded.json().content_uri as string).slice("mxc://".length);
    for (const [key, object] of s3.objects) if (object.body.toString() === "soon gone from the bucket") s3.objects.delete(key);
    const response = await test.http.inject({ method: "GET", url: `/_matrix/client/v1/media/download/${path}`, headers: bearer(alice) });
    expect(response.statusCode).toBe(404);
    expect(response.json().errcode).toBe("M_NOT_FOUND");
  });
});
