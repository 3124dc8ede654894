import { homeserverUrl } from "./homeserver-under-test.js";
import { validatingFetch } from "./validating-fetch.js";

export interface RawRequest {
  method: string;
  /** Path under the homeserver, e.g. /_matrix/client/v3/createRoom. */
  path: string;
  accessToken?: string;
  /** Sent byte for byte, so it can be malformed on purpose. */
  body?: string;
}

export interface RawResponse {
  status: number;
  /** Parsed JSON, or undefined if the body was not JSON. */
  json: Record<string, unknown> | undefined;
  text: string;
}

/** For the bad-input checks only: a request matrix-js-sdk would refuse to send. Still spec-validated. */
export async function rawRequest(request: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  if (request.body !== undefined) headers["content-type"] = "application/json";
  if (request.accessToken) headers.authorization = `Bearer ${request.accessToken}`;
  const response = await validatingFetch(new URL(request.path, homeserverUrl()), {
    method: request.method,
    headers,
    body: request.body,
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}
