import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the stub took, with what it answered. */
export interface GatewayRequest {
  path: string;
  body: { notification: Record<string, unknown> & { devices: Array<Record<string, unknown>> } };
  status: number;
}

/**
 * A push gateway on 127.0.0.1 for tests and the bench: it records every POST and answers as told — 200 with
 * the pushkeys in `rejected`, or `failWith` (a 5xx) while the test says the gateway is failing. `stop()` closes
 * the port (connection refused) and `start()` opens the same one again.
 */
export class GatewayStub {
  readonly requests: GatewayRequest[] = [];
  /** Pushkeys answered as rejected. */
  readonly rejected = new Set<string>();
  /** While set, every request gets this status (and is recorded as not delivered). */
  failWith: number | undefined;
  /** Called for every delivered notification (the bench times the last one). */
  onDelivered: ((request: GatewayRequest) => void) | undefined;
  /** Kept off the list (the bench's thousands): only counted. */
  recordBodies = true;
  deliveredCount = 0;
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/_matrix/push/v1/notify`;
  }

  /** Requests the gateway took (answered 200), in the order they arrived. */
  get delivered(): GatewayRequest[] {
    return this.requests.filter((r) => r.status === 200);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      void readBody(request).then((text) => {
        const status = this.failWith ?? 200;
        let body: GatewayRequest["body"];
        try {
          body = JSON.parse(text) as GatewayRequest["body"];
        } catch {
          response.writeHead(400).end();
          return;
        }
        const record: GatewayRequest = { path: request.url ?? "", body, status };
        if (this.recordBodies) this.requests.push(record);
        if (status !== 200) {
          response.writeHead(status, { "content-type": "application/json" }).end("{}");
          return;
        }
        this.deliveredCount++;
        const pushkeys = body.notification.devices.map((d) => d.pushkey as string);
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ rejected: pushkeys.filter((k) => this.rejected.has(k)) }));
        this.onDelivered?.(record);
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Delivered notifications for one pushkey, in order. */
  deliveredTo(pushkey: string): GatewayRequest["body"]["notification"][] {
    return this.delivered.map((r) => r.body.notification).filter((n) => n.devices.some((d) => d.pushkey === pushkey));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => resolve(text));
    request.on("error", reject);
  });
}
