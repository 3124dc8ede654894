import { createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { p256PublicKey, verifyJwt } from "./jwt-check.js";

/**
 * A stand-in for a browser's push service and the browser behind it: it holds each subscription's private
 * key, checks the VAPID authorization (RFC 8292) and decrypts the aes128gcm payload (RFC 8291) itself, so a
 * test sees exactly what a service worker would.
 */

export interface TestSubscription {
  id: string;
  endpoint: string;
  /** base64url: the pushkey, by Sygnal's convention. */
  p256dh: string;
  auth: string;
  /** What the receiver answers for this subscription. */
  answer: number;
}

export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted JSON. */
  payload: Record<string, unknown>;
  headers: Record<string, string | undefined>;
  bodyBytes: number;
  vapid: { claims: Record<string, unknown>; publicKey: string };
}

/** The browser's side of a subscription: its private key and auth secret. */
interface Subscriber {
  subscription: TestSubscription;
  ecdh: ReturnType<typeof createECDH>;
  authSecret: Buffer;
}

/** RFC 8291 section 3 and RFC 8188: one record, the sender's public key as the key id. */
export function decryptAes128gcm(body: Buffer, receiverEcdh: ReturnType<typeof createECDH>, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error("the key id must be the sender's 65-byte public key");
  if (record.length > recordSize) throw new Error("more than one record");
  const receiverPublic = receiverEcdh.getPublicKey();
  const ecdhSecret = receiverEcdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), receiverPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("no last-record delimiter");
  return padded.subarray(0, end);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class WebPushReceiver {
  readonly received: ReceivedPush[] = [];
  /** Requests refused because the VAPID check or the decryption failed: a test expects none. */
  readonly failures: string[] = [];
  private readonly subscribers = new Map<string, Subscriber>();
  private server: Server | undefined;
  private origin = "";

  constructor(private readonly expectedVapidPublicKey?: string) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(
        (status) => response.writeHead(status).end(),
        (error: Error) => {
          this.failures.push(error.message);
          response.writeHead(400).end(error.message);
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  subscribe(answer = 201): TestSubscription {
    const id = randomBytes(8).toString("hex");
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const authSecret = randomBytes(16);
    const subscription = { id, endpoint: `${this.origin}/push/${id}`, p256dh: ecdh.getPublicKey().toString("base64url"), auth: authSecret.toString("base64url"), answer };
    this.subscribers.set(id, { subscription, ecdh, authSecret });
    return subscription;
  }

  setAnswer(subscriptionId: string, answer: number): void {
    this.subscribers.get(subscriptionId)!.subscription.answer = answer;
  }

  pushesFor(subscriptionId: string): ReceivedPush[] {
    return this.received.filter((p) => p.subscriptionId === subscriptionId);
  }

  private async handle(request: IncomingMessage): Promise<number> {
    const match = /^\/push\/([0-9a-f]+)$/.exec(request.url ?? "");
    const subscriber = match && this.subscribers.get(match[1]);
    if (request.method !== "POST" || !subscriber) return 404;
    const body = await readBody(request);
    const header = (name: string) => (request.headers[name] as string | undefined) ?? undefined;
    if (header("content-encoding") !== "aes128gcm") throw new Error(`content-encoding ${header("content-encoding")}`);
    if (!/^\d+$/.test(header("ttl") ?? "")) throw new Error("no TTL header (RFC 8030 5.2)");
    const vapid = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header("authorization") ?? "");
    if (!vapid) throw new Error("no VAPID authorization (RFC 8292 3)");
    const [, token, publicKey] = vapid;
    if (this.expectedVapidPublicKey && publicKey !== this.expectedVapidPublicKey) throw new Error("not the application server's VAPID key");
    const { claims } = verifyJwt(token, "ES256", p256PublicKey(Buffer.from(publicKey, "base64url")));
    if (claims.aud !== this.origin) throw new Error(`VAPID aud ${String(claims.aud)} is not the push service's origin`);
    const now = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp <= now || claims.exp > now + 24 * 3600) throw new Error("VAPID exp must be within 24 hours");
    if (typeof claims.sub !== "string" || !/^(mailto|https):/.test(claims.sub)) throw new Error("VAPID sub must be a mailto: or https: URI");
    if (body.length > 4096) throw new Error(`the body is ${body.length} bytes, more than push services must accept`);
    const plaintext = decryptAes128gcm(body, subscriber.ecdh, subscriber.authSecret);
    this.received.push({
      subscriptionId: subscriber.subscription.id,
      payload: JSON.parse(plaintext.toString("utf8")) as Record<string, unknown>,
      headers: { ttl: header("ttl"), urgency: header("urgency"), topic: header("topic") },
      bodyBytes: body.length,
      vapid: { claims, publicKey },
    });
    return subscriber.subscription.answer;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
