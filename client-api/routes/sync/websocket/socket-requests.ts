import type { FastifyInstance } from "fastify";
import type { SyncWsRequestMessage, SyncWsServerMessage } from "../../../../schemas/client/sync/sync-websocket.js";

type ResponseMessage = Extract<SyncWsServerMessage, { type: "response" }>;

/**
 * A client-server API call carried over the socket. It goes through Fastify's `inject` with the
 * connection's access token, so it takes exactly the path an HTTP request takes (schemas, auth, rate
 * limits, route, service): one code path to test and to keep right, at the cost of a serialisation
 * round trip that is small next to the database work of any write.
 */
export async function answerRequest(
  http: FastifyInstance,
  connection: { accessToken: string; remoteAddress: string },
  request: SyncWsRequestMessage,
): Promise<ResponseMessage> {
  const headers: Record<string, string> = { authorization: `Bearer ${connection.accessToken}` };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  const reply = await http.inject({
    method: request.method,
    url: request.path,
    headers,
    payload: request.body === undefined ? undefined : JSON.stringify(request.body),
    remoteAddress: connection.remoteAddress,
  });
  return { type: "response", id: request.id, status: reply.statusCode, body: bodyOf(reply.body, reply.headers["content-type"]) };
}

function bodyOf(text: string, contentType: string | string[] | number | undefined): unknown {
  if (text === "") return undefined;
  if (typeof contentType === "string" && contentType.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
