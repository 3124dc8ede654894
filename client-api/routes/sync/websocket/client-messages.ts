import { Ajv, type ValidateFunction } from "ajv";
import { errors, type MatrixError } from "../../../../homeserver/errors.js";
import { jsonInputProblem, MAX_JSON_DEPTH } from "../../../../homeserver/json-limits.js";
import {
  syncWsAckMessage,
  syncWsPingMessage,
  syncWsRequestMessage,
  syncWsSyncMessage,
  type SyncWsClientMessage,
} from "../../../../schemas/client/sync/sync-websocket.js";

// Bodies are checked strictly, as HTTP bodies are (client-api/http/validation.ts): no coercion.
const ajv = new Ajv({ coerceTypes: false, useDefaults: false, allErrors: false, strict: false });
const validators: Record<SyncWsClientMessage["type"], ValidateFunction> = {
  sync: ajv.compile(syncWsSyncMessage),
  ack: ajv.compile(syncWsAckMessage),
  ping: ajv.compile(syncWsPingMessage),
  request: ajv.compile(syncWsRequestMessage),
};

export type ParsedMessage = { ok: true; message: SyncWsClientMessage } | { ok: false; error: MatrixError; type?: string };

/** One frame from the client: the spec's M_NOT_JSON for what is not a JSON object, M_BAD_JSON for a wrong shape. */
export function parseClientMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ParsedMessage {
  if (isBinary) return { ok: false, error: errors.notJson("Messages must be JSON in text frames") };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString("utf8"));
  } catch {
    return { ok: false, error: errors.notJson() };
  }
  // A request frame's body is replayed through the HTTP routes, which must never see what they would refuse;
  // the frame itself ({type, id, body}) adds one level above the body.
  const problem = jsonInputProblem(value, { maxDepth: MAX_JSON_DEPTH + 1 });
  if (problem) return { ok: false, error: errors.badJson(problem) };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, error: errors.badJson("A message must be a JSON object") };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { ok: false, error: errors.badJson("Missing property type") };
  const validate = Object.hasOwn(validators, type) ? validators[type as SyncWsClientMessage["type"]] : undefined;
  if (!validate) return { ok: false, error: errors.unrecognized(`Unknown message type ${type.slice(0, 64)}`, 400), type };
  if (!validate(value)) {
    const first = validate.errors?.[0];
    if (first?.keyword === "required") {
      return { ok: false, error: errors.badJson(`Missing property ${(first.params as { missingProperty: string }).missingProperty}`), type };
    }
    const where = (first?.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
    return { ok: false, error: errors.badJson(`${where || "message"} ${first?.message ?? "is invalid"}`), type };
  }
  return { ok: true, message: value as SyncWsClientMessage };
}
