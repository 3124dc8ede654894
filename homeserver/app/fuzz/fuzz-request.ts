import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { SigningKey } from "../../crypto/signing-key.js";
import { jsonInputProblem, MAX_JSON_DEPTH } from "../../json-limits.js";
import { formatXMatrix, signRequest } from "../../../federation/x-matrix.js";
import type { FuzzRequest } from "./fuzz-cases.js";
import type { FuzzRoute } from "./route-catalogue.js";

/** Who the fuzzed server is, and who signs as the peer. */
export interface Signer {
  serverName: string;
  peerName: string;
  peerKey: SigningKey;
  accessToken: () => string;
}

const PARAM = /:([A-Za-z0-9_]+)(?:\([^/]*\))?/g;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The path and query as the server will see them: inject() parses the URL with WHATWG rules (spaces and
 * non-ASCII encoded, `..` resolved), and an X-Matrix signature must cover exactly that text.
 */
export function requestTarget(route: FuzzRoute, request: FuzzRequest): string {
  const path = route.url.replace(PARAM, (_m, name: string) => request.params[name] ?? "");
  const parsed = new URL(`${path}${request.query ? `?${request.query}` : ""}`, "http://localhost");
  return `${parsed.pathname}${parsed.search}`;
}

/** The body as the server parses it, when it parses: what a signature's `content` covers. */
function parsedContent(payload: string | Buffer | undefined): unknown {
  if (payload === undefined) return undefined;
  try {
    const text = typeof payload === "string" ? payload : utf8.decode(payload);
    if (text.trim() === "") return undefined;
    const value: unknown = JSON.parse(text);
    // Deeper bodies are refused before authentication; canonicalising them here would overflow the stack.
    return jsonInputProblem(value, { maxDepth: MAX_JSON_DEPTH + 3, allowNul: true }) ? undefined : value;
  } catch {
    return undefined;
  }
}

function authorization(request: FuzzRequest, method: string, target: string, signer: Signer): string | undefined {
  const auth = request.auth;
  switch (auth.kind) {
    case "none":
      return undefined;
    case "user":
      return `Bearer ${signer.accessToken()}`;
    case "header":
      return auth.value;
    case "signed":
    case "x-matrix": {
      const origin = auth.kind === "signed" ? signer.peerName : auth.origin;
      let sig = "x";
      try {
        const header = signRequest({ method, uri: target, origin, destination: signer.serverName, content: parsedContent(request.body?.payload), signingKey: signer.peerKey });
        sig = /sig="([^"]*)"/.exec(header)![1];
      } catch {
        // Content canonical JSON cannot hold (1e400 parsed as Infinity): the request goes with a bad signature.
      }
      if (auth.kind === "signed") return formatXMatrix({ origin, destination: signer.serverName, key: signer.peerKey.keyId, sig });
      return formatXMatrix({ origin, destination: auth.destination ?? signer.serverName, key: auth.key ?? signer.peerKey.keyId, sig: auth.sig ?? sig });
    }
  }
}

export interface Sent {
  method: string;
  target: string;
  response?: LightMyRequestResponse;
  /** Set when inject itself threw, or no answer came in time. */
  transportError?: string;
}

/** A request that hangs is a bug too; this bounds how long one may take so that the report names it. */
const NO_ANSWER_MS = 15_000;

export async function sendFuzzRequest(http: FastifyInstance, route: FuzzRoute, request: FuzzRequest, signer: Signer): Promise<Sent> {
  const target = requestTarget(route, request);
  const headers: Record<string, string> = {};
  const auth = authorization(request, route.method, target, signer);
  if (auth !== undefined) headers.authorization = auth;
  if (request.body?.contentType) headers["content-type"] = request.body.contentType;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), NO_ANSWER_MS)));
  try {
    const answer = await Promise.race([
      http.inject({ method: route.method as "GET", url: target, headers, payload: request.body?.payload }),
      deadline,
    ]);
    if (answer === "timeout") return { method: route.method, target, transportError: `no answer within ${NO_ANSWER_MS / 1000} s` };
    return { method: route.method, target, response: answer };
  } catch (error) {
    return { method: route.method, target, transportError: `inject failed: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
