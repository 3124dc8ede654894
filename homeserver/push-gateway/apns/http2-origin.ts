import { connect, constants, type ClientHttp2Session, type OutgoingHttpHeaders } from "node:http2";

export interface Http2Answer {
  status: number;
  body: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * One HTTP/2 connection to a fixed origin (APNs wants a long-lived connection, not one per push), opened on
 * first use and again after it closes, errs or is sent GOAWAY. `https:` origins use TLS; `http:` (tests) h2c.
 */
export class Http2Origin {
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly origin: string,
    private readonly timeoutMs: number,
  ) {}

  private connection(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = connect(this.origin);
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // A failed connection fails the requests on it; the next request connects again.
    session.on("error", forget);
    session.on("goaway", forget);
    session.on("close", forget);
    this.session = session;
    return session;
  }

  request(headers: OutgoingHttpHeaders, body: string): Promise<Http2Answer> {
    return new Promise((resolve, reject) => {
      let stream;
      try {
        stream = this.connection().request({ [constants.HTTP2_HEADER_METHOD]: "POST", ...headers });
      } catch (error) {
        reject(error);
        return;
      }
      let status = 0;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.setTimeout(this.timeoutMs, () => stream.close(constants.NGHTTP2_CANCEL));
      stream.on("response", (answer) => (status = Number(answer[constants.HTTP2_HEADER_STATUS])));
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) stream.close(constants.NGHTTP2_CANCEL);
        else chunks.push(chunk);
      });
      stream.on("error", reject);
      stream.on("close", () => {
        if (status === 0 || size > MAX_ANSWER_BYTES) reject(new Error("the HTTP/2 stream ended without a complete answer"));
        else resolve({ status, body: Buffer.concat(chunks).toString("utf8") });
      });
      stream.end(body);
    });
  }

  close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session || session.closed) return Promise.resolve();
    return new Promise((resolve) => session.close(() => resolve()));
  }
}
