import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** TESTS ONLY: a local web server on 127.0.0.1 whose pages are set per path; counts the requests to each. */
export interface PreviewTestServer {
  base: string;
  port: number;
  hits(path: string): number;
  /** Sets what a path answers (the path without its query). */
  page(path: string, answer: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startPreviewTestServer(): Promise<PreviewTestServer> {
  const pages = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const answer = pages.get(path);
    if (answer) answer(req, res);
    else res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    hits: (path) => hits.get(path) ?? 0,
    page: (path, answer) => void pages.set(path, answer),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const html = (body: string) => (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
