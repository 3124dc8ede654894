import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface S3StandInOptions {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** One request as the stand-in saw it, for tests to look at. */
export interface SeenRequest {
  method: string;
  /** The object's key within the bucket ("" for the bucket itself). */
  key: string;
  /** Whether its SigV4 Authorization header was present and its signature right. */
  signed: boolean;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/s3\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * A small in-process S3 for tests (PUT, GET with Range, HEAD and DELETE of objects in one bucket, path-style
 * or virtual-hosted addressing). Every request must carry a SigV4 Authorization header for the configured
 * key, and its signature is checked against the secret as S3 does (AWS Signature Version 4): a request that
 * is not signed, or signed with another secret, gets 403 and changes nothing.
 */
export class S3StandIn {
  readonly objects = new Map<string, { body: Buffer; contentType: string | undefined }>();
  readonly seen: SeenRequest[] = [];
  private server: Server | undefined;
  private origin = "";

  constructor(private readonly options: S3StandInOptions) {}

  get endpoint(): string {
    return this.origin;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? "/", "http://stand-in");
    const key = this.keyOf(request, url);
    const signed = this.verify(request, url, body);
    this.seen.push({ method: request.method ?? "", key: key ?? "", signed });
    if (!signed) return xmlError(response, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    if (key === undefined) return xmlError(response, 404, "NoSuchBucket", "The specified bucket does not exist");
    const stored = this.objects.get(key);
    switch (request.method) {
      case "PUT":
        this.objects.set(key, { body, contentType: request.headers["content-type"] });
        response.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` }).end();
        return;
      case "HEAD":
        if (!stored) return void response.writeHead(404).end();
        response.writeHead(200, { "content-length": stored.body.length, "content-type": stored.contentType ?? "binary/octet-stream" }).end();
        return;
      case "GET": {
        if (!stored) return xmlError(response, 404, "NoSuchKey", "The specified key does not exist.");
        const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
        if (range) {
          const start = Number(range[1]);
          const end = Math.min(range[2] === "" ? stored.body.length - 1 : Number(range[2]), stored.body.length - 1);
          if (start >= stored.body.length) return xmlError(response, 416, "InvalidRange", "The requested range is not satisfiable");
          response.writeHead(206, { "content-length": end - start + 1, "content-range": `bytes ${start}-${end}/${stored.body.length}` }).end(stored.body.subarray(start, end + 1));
          return;
        }
        response.writeHead(200, { "content-length": stored.body.length, "content-type": stored.contentType ?? "binary/octet-stream" }).end(stored.body);
        return;
      }
      case "DELETE":
        this.objects.delete(key);
        response.writeHead(204).end();
        return;
      default:
        xmlError(response, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
  }

  /** The key a request names in our bucket: /bucket/key (path style) or bucket.host/key (virtual-hosted). */
  private keyOf(request: IncomingMessage, url: URL): string | undefined {
    const host = (request.headers.host ?? "").split(":")[0];
    const path = decodeURIComponent(url.pathname);
    if (host.startsWith(`${this.options.bucket}.`)) return path.slice(1);
    if (path === `/${this.options.bucket}` || path.startsWith(`/${this.options.bucket}/`)) return path.slice(this.options.bucket.length + 2);
    return undefined;
  }

  /** AWS Signature Version 4, as S3 checks it: the canonical request, the string to sign, the derived key. */
  private verify(request: IncomingMessage, url: URL, body: Buffer): boolean {
    const match = AUTHORIZATION.exec(request.headers.authorization ?? "");
    if (!match) return false;
    const [, accessKeyId, date, region, signedHeaderList, signature] = match;
    const amzDate = header(request, "x-amz-date");
    const payloadHash = header(request, "x-amz-content-sha256");
    if (accessKeyId !== this.options.accessKeyId || region !== this.options.region || !amzDate?.startsWith(date) || !payloadHash) return false;
    if (/^[0-9a-f]{64}$/.test(payloadHash) && createHash("sha256").update(body).digest("hex") !== payloadHash) return false;
    const signedHeaders = signedHeaderList.split(";");
    if (!signedHeaders.includes("host")) return false;
    const canonicalHeaders = signedHeaders.map((name) => `${name}:${(header(request, name) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
    const canonicalRequest = [request.method, url.pathname, canonicalQuery(url), canonicalHeaders, signedHeaderList, payloadHash].join("\n");
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
    let key: Buffer = hmac(`AWS4${this.options.secretAccessKey}`, date);
    for (const part of [region, "s3", "aws4_request"]) key = hmac(key, part);
    const expected = Buffer.from(createHmac("sha256", key).update(stringToSign).digest("hex"));
    return timingSafeEqual(expected, Buffer.from(signature));
  }
}

const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** RFC 3986 encoding of everything but the unreserved characters, as SigV4 wants it. */
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function xmlError(response: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  response.writeHead(status, { "content-type": "application/xml" }).end(body);
}
