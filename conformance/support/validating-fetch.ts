import { inject } from "vitest";
import "../harness/provided-context.js";
import { deviationsFor } from "./spec/known-deviations.js";
import { ResponseValidator } from "./spec/response-validator.js";
import { recordSpecViolation } from "./spec/spec-violations.js";

let validator: ResponseValidator | null | undefined;

/**
 * fetch that checks every response against the spec before handing it on. Given to matrix-js-sdk as `fetchFn`
 * and used for the raw requests too, so no response escapes validation.
 */
export const validatingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  validator ??= ResponseValidator.fromSharedSpec(deviationsFor(inject("conformanceServerKind")));
  if (!validator) return response;

  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const contentType = response.headers.get("content-type") ?? "";
  // Media and other binary bodies are not read: the suite only validates the JSON API.
  const bodyText = /json|text/i.test(contentType) || contentType === "" ? await response.clone().text() : "";
  const violation = validator.check({ method, path: url.pathname, status: response.status, contentType, bodyText });
  if (violation) recordSpecViolation(violation);
  return response;
};
