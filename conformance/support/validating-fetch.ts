import { inject } from "vitest";
import "../harness/provided-context.js";
import { deviationsFor } from "./spec/known-deviations.js";
import { ResponseValidator } from "./spec/response-validator.js";
import { recordSpecViolation } from "./spec/spec-violations.js";

/**
 * fetch that checks every response against the spec before handing it on. Given to matrix-js-sdk as `fetchFn`
 * and used for the raw requests too, so no response escapes validation.
 */
export const validatingFetch: typeof fetch = (input, init) => validatingFetchFor(inject("conformanceServerKind"))(input, init);

const validators = new Map<string, ResponseValidator | null>();
const fetchers = new Map<string, typeof fetch>();

/**
 * A validating fetch for responses of a server of the given kind ("myelin", "synapse", ...), which picks the
 * known deviations tolerated: the federation suite talks to servers of different kinds in one test file.
 */
export function validatingFetchFor(serverKind: string): typeof fetch {
  let fetcher = fetchers.get(serverKind);
  if (!fetcher) {
    fetcher = (input, init) => fetchAndValidate(serverKind, input, init);
    fetchers.set(serverKind, fetcher);
  }
  return fetcher;
}

async function fetchAndValidate(serverKind: string, input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): Promise<Response> {
  const response = await fetch(input, init);
  if (!validators.has(serverKind)) validators.set(serverKind, ResponseValidator.fromSharedSpec(deviationsFor(serverKind)));
  const validator = validators.get(serverKind);
  if (!validator) return response;

  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const contentType = response.headers.get("content-type") ?? "";
  // Media and other binary bodies are not read: the suite only validates the JSON API.
  const bodyText = /json|text/i.test(contentType) || contentType === "" ? await response.clone().text() : "";
  const violation = validator.check({ method, path: url.pathname, status: response.status, contentType, bodyText });
  if (violation) recordSpecViolation(violation);
  return response;
}
