import { randomBytes, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { verifyJwt } from "./jwt-check.js";

/**
 * Google's OAuth token endpoint and FCM's HTTP v1 send endpoint, checking requests as Google documents them:
 * the JWT-bearer grant with an RS256 assertion signed by the service account's key (iss, scope, aud, iat,
 * exp at most an hour on), then `Authorization: Bearer` with a token it issued and a `message` whose `data`
 * values are all strings.
 */

export type FcmTokenState = "ok" | "unregistered" | "invalid" | "unavailable" | "quota";

export interface ReceivedFcmMessage {
  token: string;
  data: Record<string, string>;
  android?: { priority?: string };
  message: Record<string, unknown>;
}

const FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function fcmError(status: number, rpcStatus: string, errorCode: string, message: string) {
  return {
    status,
    body: { error: { code: status, message, status: rpcStatus, details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode }] } },
  };
}

export class FcmStandIn {
  readonly received: ReceivedFcmMessage[] = [];
  readonly failures: string[] = [];
  /** Token-endpoint exchanges, with the assertion's claims. */
  readonly tokenRequests: Array<Record<string, unknown>> = [];
  private readonly issued = new Set<string>();
  private readonly states = new Map<string, FcmTokenState>();
  /** Answer 401 to the next this-many sends, as FCM does for a revoked access token. */
  revokeNextSends = 0;
  /** expires_in of the access tokens it issues. */
  tokenLifetimeSeconds = 3599;
  private server: Server | undefined;
  origin = "";

  constructor(
    private readonly projectId: string,
    private readonly clientEmail: string,
    private readonly serviceAccountKey: KeyObject,
  ) {}

  get tokenEndpoint(): string {
    return `${this.origin}/token`;
  }

  setState(registrationToken: string, state: FcmTokenState): void {
    this.states.set(registrationToken, state);
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(
        ({ status, body }) => response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body)),
        (error: Error) => {
          this.failures.push(error.message);
          response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 400, message: error.message, status: "FAILED_PRECONDITION" } }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const text = await readBody(request);
    if (request.method === "POST" && request.url === "/token") return this.exchange(request, text);
    if (request.method === "POST" && request.url === `/v1/projects/${this.projectId}/messages:send`) return this.send(request, text);
    return { status: 404, body: { error: { code: 404, message: "not found", status: "NOT_FOUND" } } };
  }

  private exchange(request: IncomingMessage, text: string): { status: number; body: unknown } {
    if (!String(request.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) throw new Error("the token request must be form-encoded");
    const form = new URLSearchParams(text);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") throw new Error(`grant_type ${form.get("grant_type")}`);
    const { claims } = verifyJwt(form.get("assertion") ?? "", "RS256", this.serviceAccountKey);
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== this.clientEmail) throw new Error("iss must be the service account's email");
    if (claims.scope !== FCM_SCOPE) throw new Error(`scope ${String(claims.scope)}`);
    if (claims.aud !== this.tokenEndpoint) throw new Error("aud must be the token endpoint");
    if (typeof claims.iat !== "number" || Math.abs(claims.iat - now) > 300) throw new Error("iat must be now");
    if (typeof claims.exp !== "number" || claims.exp <= now || claims.exp - claims.iat > 3600) throw new Error("exp at most an hour after iat");
    this.tokenRequests.push(claims);
    const accessToken = `ya29.${randomBytes(16).toString("hex")}`;
    this.issued.add(accessToken);
    return { status: 200, body: { access_token: accessToken, expires_in: this.tokenLifetimeSeconds, token_type: "Bearer" } };
  }

  private send(request: IncomingMessage, text: string): { status: number; body: unknown } {
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""));
    if (!bearer || !this.issued.has(bearer[1]) || this.revokeNextSends > 0) {
      if (this.revokeNextSends > 0) this.revokeNextSends--;
      return { status: 401, body: { error: { code: 401, message: "Request had invalid authentication credentials.", status: "UNAUTHENTICATED" } } };
    }
    const { message } = JSON.parse(text) as { message?: Record<string, unknown> };
    if (!message || typeof message.token !== "string") throw new Error("message.token is required");
    const data = (message.data ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(data)) if (typeof value !== "string") throw new Error(`data.${key} is not a string`);
    if (Buffer.byteLength(JSON.stringify(data)) > 4096) throw new Error("data larger than 4096 bytes");
    const android = message.android as { priority?: string } | undefined;
    if (android?.priority !== undefined && !["high", "normal"].includes(android.priority)) throw new Error(`android.priority ${android.priority}`);
    switch (this.states.get(message.token) ?? "ok") {
      case "unregistered":
        return fcmError(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.");
      case "invalid":
        return fcmError(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token");
      case "unavailable":
        return fcmError(503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.");
      case "quota":
        return fcmError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded.");
      case "ok":
        this.received.push({ token: message.token, data: data as Record<string, string>, android, message });
        return { status: 200, body: { name: `projects/${this.projectId}/messages/${randomBytes(6).toString("hex")}` } };
    }
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
