import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IP_RANGE_BLOCKLIST } from "./config-schema.js";
import { IpRangeFilter } from "./ip-ranges.js";
import {
  BlockedDestinationError,
  createOutgoingHttp,
  OutgoingTimeoutError,
  ResponseTooLargeError,
  TooManyRedirectsError,
  UnresolvableHostError,
  type ClosableOutgoingHttp,
  type OutgoingRequest,
} from "./outgoing-http.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const seen: Seen[] = [];
let connections = 0;
let port = 0;
let server: Server;
const open: ClosableOutgoingHttp[] = [];

// What the local server answers, by path.
function respond(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const query = new URL(req.url ?? "/", "http://x").searchParams;
  if (path === "/hello") return void res.writeHead(200, { "content-type": "text/plain" }).end("hello");
  if (path === "/redirect") return void res.writeHead(Number(query.get("status") ?? 302), { location: query.get("to") ?? "/hello" }).end("moved");
  if (path === "/loop") return void res.writeHead(302, { location: "/loop" }).end();
  if (path === "/big") return void res.writeHead(200, { "content-length": "5000" }).end("x".repeat(5000));
  if (path === "/big-chunked") {
    res.writeHead(200);
    for (let i = 0; i < 50; i++) res.write("x".repeat(100));
    return void res.end();
  }
  if (path === "/never") return; // no answer at all
  if (path === "/stall-body") {
    res.writeHead(200, { "content-length": "100" });
    res.write("partial");
    return; // the rest never comes
  }
  res.writeHead(404).end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      respond(req, res);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
  seen.length = 0;
  connections = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function http(allowlist: string[], lookup?: (host: string) => Promise<string[]>): ClosableOutgoingHttp {
  const client = createOutgoingHttp({ ipFilter: new IpRangeFilter(DEFAULT_IP_RANGE_BLOCKLIST, allowlist), lookup, userAgent: "Myelin/test" });
  open.push(client);
  return client;
}

const GET: OutgoingRequest = { method: "GET", timeoutMs: 5_000, maxResponseBytes: 1024 };
const local = (path: string) => `http://127.0.0.1:${port}${path}`;

describe("guarded outgoing HTTP", () => {
  it("refuses a server on 127.0.0.1 with the default filter, without connecting", async () => {
    await expect(http([]).fetch(local("/hello"), GET)).rejects.toBeInstanceOf(BlockedDestinationError);
    expect(connections).toBe(0);
  });

  it("reaches a server on 127.0.0.1 when 127.0.0.0/8 is allowlisted", async () => {
    const response = await http(["127.0.0.0/8"]).fetch(local("/hello"), GET);
    expect(response.status).toBe(200);
    expect(response.body.toString("utf8")).toBe("hello");
    expect(response.headers["content-type"]).toBe("text/plain");
    expect(response.finalUrl).toBe(local("/hello"));
    expect(seen[0].headers["user-agent"]).toBe("Myelin/test");
    expect(seen[0].headers.host).toBe(`127.0.0.1:${port}`);
  });

  it("refuses a host name that resolves to 10.0.0.1", async () => {
    const lookups: string[] = [];
    const client = http(["127.0.0.0/8"], async (host) => (lookups.push(host), ["10.0.0.1"]));
    await expect(client.fetch("http://internal.example/hello", GET)).rejects.toBeInstanceOf(BlockedDestinationError);
    expect(lookups).toEqual(["internal.example"]);
  });

  it("refuses a host name that resolves to a blocked address without opening any connection to it", async () => {
    const client = http([], async () => ["127.0.0.1"]);
    await expect(client.fetch(`http://sneaky.example:${port}/hello`, GET)).rejects.toBeInstanceOf(BlockedDestinationError);
    expect(connections).toBe(0);
  });

  it("connects only to the address that passed the filter and sends the host name in Host", async () => {
    const client = http(["127.0.0.0/8"], async () => ["10.0.0.1", "127.0.0.1"]);
    const response = await client.fetch(`http://mixed.example:${port}/hello`, GET);
    expect(response.body.toString("utf8")).toBe("hello");
    expect(seen[0].headers.host).toBe(`mixed.example:${port}`);
  });

  it.each(["0x7f.0.0.1", "2130706433", "127.1", "[::ffff:127.0.0.1]", "[::1]"])("refuses the loopback address written as %s", async (host) => {
    await expect(http([]).fetch(`http://${host}:${port}/hello`, GET)).rejects.toBeInstanceOf(BlockedDestinationError);
    expect(connections).toBe(0);
  });

  it("refuses a host name that does not resolve, telling it apart from a blocked one", async () => {
    const failure = http(["127.0.0.0/8"], async () => []).fetch("http://nowhere.example/", GET);
    await expect(failure).rejects.toBeInstanceOf(UnresolvableHostError);
    await expect(failure).rejects.toBeInstanceOf(BlockedDestinationError);
    await expect(http([], async () => ["10.0.0.1"]).fetch("http://internal.example/", GET)).rejects.not.toBeInstanceOf(UnresolvableHostError);
  });

  it.each(["ftp://127.0.0.1/file", "file:///etc/passwd", "data:text/plain,hi", "not a url", "/relative/path"])("refuses %s", async (url) => {
    await expect(http(["127.0.0.0/8"]).fetch(url, GET)).rejects.toBeInstanceOf(BlockedDestinationError);
    expect(connections).toBe(0);
  });

  it("returns a redirect as it is unless asked to follow it", async () => {
    const response = await http(["127.0.0.0/8"]).fetch(local("/redirect?to=/hello"), GET);
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/hello");
    expect(seen.map((s) => s.url)).toEqual(["/redirect?to=/hello"]);
  });

  it("follows redirects when asked and reports the final URL", async () => {
    const response = await http(["127.0.0.0/8"]).fetch(local("/redirect?to=/hello"), { ...GET, maxRedirects: 3 });
    expect(response.status).toBe(200);
    expect(response.body.toString("utf8")).toBe("hello");
    expect(response.finalUrl).toBe(local("/hello"));
  });

  it("refuses a redirect to a blocked address", async () => {
    const client = http(["127.0.0.1/32"]);
    await expect(client.fetch(local(`/redirect?to=${encodeURIComponent("http://10.0.0.1/")}`), { ...GET, maxRedirects: 3 })).rejects.toBeInstanceOf(BlockedDestinationError);
    await expect(client.fetch(local(`/redirect?to=${encodeURIComponent(`http://127.0.0.2:${port}/hello`)}`), { ...GET, maxRedirects: 3 })).rejects.toBeInstanceOf(
      BlockedDestinationError,
    );
    expect(seen.map((s) => s.url.split("?")[0])).toEqual(["/redirect", "/redirect"]);
  });

  it("re-checks the host name of each redirect hop", async () => {
    const client = http(["127.0.0.0/8"], async (host) => (host === "evil.example" ? ["169.254.169.254"] : ["127.0.0.1"]));
    const to = encodeURIComponent("http://evil.example/latest/meta-data");
    await expect(client.fetch(`http://fine.example:${port}/redirect?to=${to}`, { ...GET, maxRedirects: 3 })).rejects.toBeInstanceOf(BlockedDestinationError);
  });

  it("refuses a redirect to another scheme", async () => {
    const to = encodeURIComponent("file:///etc/passwd");
    await expect(http(["127.0.0.0/8"]).fetch(local(`/redirect?to=${to}`), { ...GET, maxRedirects: 3 })).rejects.toBeInstanceOf(BlockedDestinationError);
  });

  it("stops after maxRedirects", async () => {
    await expect(http(["127.0.0.0/8"]).fetch(local("/loop"), { ...GET, maxRedirects: 2 })).rejects.toBeInstanceOf(TooManyRedirectsError);
    expect(seen).toHaveLength(3);
  });

  it("turns a POST into a body-less GET on 303 and keeps it a POST on 307", async () => {
    const client = http(["127.0.0.0/8"]);
    const post: OutgoingRequest = { ...GET, method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}', maxRedirects: 1 };
    await client.fetch(local("/redirect?status=303&to=/hello"), post);
    await client.fetch(local("/redirect?status=307&to=/hello"), post);
    expect(seen.map((s) => [s.method, s.url.split("?")[0], s.body])).toEqual([
      ["POST", "/redirect", '{"a":1}'],
      ["GET", "/hello", ""],
      ["POST", "/redirect", '{"a":1}'],
      ["POST", "/hello", '{"a":1}'],
    ]);
    expect(seen[1].headers["content-type"]).toBeUndefined();
  });

  it("does not carry credentials to another origin on redirect", async () => {
    const client = http(["127.0.0.0/8"], async () => ["127.0.0.1"]);
    const to = encodeURIComponent(`http://other.example:${port}/hello`);
    await client.fetch(local(`/redirect?to=${to}`), { ...GET, headers: { authorization: "Bearer secret", accept: "text/html" }, maxRedirects: 1 });
    expect(seen[0].headers.authorization).toBe("Bearer secret");
    expect(seen[1].headers.authorization).toBeUndefined();
    expect(seen[1].headers.accept).toBe("text/html");
    expect(seen[1].headers.host).toBe(`other.example:${port}`);
  });

  it("refuses a body larger than the cap, whether announced or streamed", async () => {
    const client = http(["127.0.0.0/8"]);
    await expect(client.fetch(local("/big"), GET)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(client.fetch(local("/big-chunked"), GET)).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect((await client.fetch(local("/big"), { ...GET, maxResponseBytes: 5000 })).body).toHaveLength(5000);
  });

  it("gives up when no response comes within the time limit", async () => {
    await expect(http(["127.0.0.0/8"]).fetch(local("/never"), { ...GET, timeoutMs: 200 })).rejects.toBeInstanceOf(OutgoingTimeoutError);
  });

  it("gives up when the body stops arriving within the time limit", async () => {
    await expect(http(["127.0.0.0/8"]).fetch(local("/stall-body"), { ...GET, timeoutMs: 200 })).rejects.toBeInstanceOf(OutgoingTimeoutError);
  });

  it("gives up when DNS does not answer within the time limit", async () => {
    const client = http(["127.0.0.0/8"], () => new Promise<string[]>(() => {}));
    await expect(client.fetch("http://slow-dns.example/", { ...GET, timeoutMs: 200 })).rejects.toBeInstanceOf(OutgoingTimeoutError);
  });

  it("answers HEAD without reading a body", async () => {
    const response = await http(["127.0.0.0/8"]).fetch(local("/big"), { ...GET, method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(0);
  });
});
