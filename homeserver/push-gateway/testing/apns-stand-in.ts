import { randomUUID, type KeyObject } from "node:crypto";
import { createServer, constants, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { verifyJwt } from "./jwt-check.js";

/**
 * APNs over HTTP/2 (h2c here; Apple's is TLS), checking requests as Apple documents them: POST
 * /3/device/<hex token>, `authorization: bearer` with an ES256 provider token (kid = key id, iss = team id, iat
 * within the hour), apns-topic, apns-push-type, apns-priority, and a JSON payload with an `aps` dictionary of
 * at most 4096 bytes. It answers 200 with an apns-id, or Apple's status and `reason`.
 */

export type ApnsTokenState = "ok" | "unregistered" | "bad-token" | "unavailable";

export interface ReceivedApnsPush {
  deviceToken: string;
  headers: Record<string, string | undefined>;
  payload: { aps: Record<string, unknown> } & Record<string, unknown>;
  providerToken: string;
}

export class ApnsStandIn {
  readonly received: ReceivedApnsPush[] = [];
  readonly failures: string[] = [];
  private readonly states = new Map<string, ApnsTokenState>();
  private readonly expiredProviderTokens = new Set<string>();
  /** Answer ExpiredProviderToken to the next this-many pushes (as APNs does to a token it deems too old). */
  expireNextProviderTokens = 0;
  private server: Http2Server | undefined;
  origin = "";

  constructor(
    private readonly teamId: string,
    private readonly keyId: string,
    private readonly publicKey: KeyObject,
    private readonly topic: string,
  ) {}

  setState(deviceToken: string, state: ApnsTokenState): void {
    this.states.set(deviceToken, state);
  }

  async start(): Promise<this> {
    this.server = createServer();
    this.server.on("stream", (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        let answer: { status: number; reason?: string };
        try {
          answer = this.handle(headers, Buffer.concat(chunks));
        } catch (error) {
          this.failures.push((error as Error).message);
          answer = { status: 400, reason: "BadRequest" };
        }
        respond(stream, answer);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  private handle(headers: IncomingHttpHeaders, body: Buffer): { status: number; reason?: string } {
    const path = String(headers[":path"]);
    const match = /^\/3\/device\/([0-9a-f]+)$/.exec(path);
    if (headers[":method"] !== "POST" || !match) return { status: 404, reason: "BadPath" };
    const bearer = /^bearer (.+)$/.exec(String(headers.authorization ?? ""));
    if (!bearer) return { status: 403, reason: "MissingProviderToken" };
    const { header, claims } = verifyJwt(bearer[1], "ES256", this.publicKey);
    if (header.kid !== this.keyId) throw new Error("kid must be the key id");
    if (claims.iss !== this.teamId) throw new Error("iss must be the team id");
    const now = Date.now() / 1000;
    if (typeof claims.iat !== "number" || claims.iat > now + 60 || now - claims.iat > 3600) return { status: 403, reason: "ExpiredProviderToken" };
    if (this.expiredProviderTokens.has(bearer[1])) return { status: 403, reason: "ExpiredProviderToken" };
    if (this.expireNextProviderTokens > 0) {
      this.expireNextProviderTokens--;
      this.expiredProviderTokens.add(bearer[1]);
      return { status: 403, reason: "ExpiredProviderToken" };
    }
    if (headers["apns-topic"] !== this.topic) return { status: 400, reason: "BadTopic" };
    const pushType = headers["apns-push-type"];
    if (pushType !== "alert" && pushType !== "background") throw new Error(`apns-push-type ${String(pushType)}`);
    const priority = headers["apns-priority"];
    if (priority !== "10" && priority !== "5") return { status: 400, reason: "BadPriority" };
    if (pushType === "background" && priority !== "5") throw new Error("background pushes must have priority 5");
    if (body.length > 4096) return { status: 413, reason: "PayloadTooLarge" };
    const payload = JSON.parse(body.toString("utf8")) as ReceivedApnsPush["payload"];
    if (typeof payload.aps !== "object" || payload.aps === null) return { status: 400, reason: "PayloadEmpty" };
    const deviceToken = match[1];
    switch (this.states.get(deviceToken) ?? "ok") {
      case "unregistered":
        return { status: 410, reason: "Unregistered" };
      case "bad-token":
        return { status: 400, reason: "BadDeviceToken" };
      case "unavailable":
        return { status: 503, reason: "ServiceUnavailable" };
      case "ok": {
        const pick = (name: string) => (headers[name] as string | undefined) ?? undefined;
        this.received.push({
          deviceToken,
          headers: { "apns-topic": pick("apns-topic"), "apns-push-type": pick("apns-push-type"), "apns-priority": pick("apns-priority"), "apns-collapse-id": pick("apns-collapse-id") },
          payload,
          providerToken: bearer[1],
        });
        return { status: 200 };
      }
    }
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function respond(stream: ServerHttp2Stream, answer: { status: number; reason?: string }): void {
  if (stream.destroyed) return;
  stream.respond({ [constants.HTTP2_HEADER_STATUS]: answer.status, "apns-id": randomUUID(), "content-type": "application/json" });
  stream.end(answer.reason ? JSON.stringify({ reason: answer.reason }) : undefined);
}
