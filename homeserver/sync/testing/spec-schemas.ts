import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { clientServerSpec } from "../../testing/spec-document.js";

/**
 * Response schemas from the spec's OpenAPI document (homeserver/testing/spec-document.ts says where it is read
 * from and when the checks are off), for tests to check our responses against. Unknown formats are accepted:
 * only the structure is checked.
 */
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, addUsedSchema: false, logger: false });
const compiled = new Map<string, ValidateFunction>();

export function specAvailable(): boolean {
  return clientServerSpec() !== null;
}

/** Errors of `body` against the spec's response schema for (path template, method, status); [] when valid. */
export function specErrors(template: string, method: string, status: number, body: unknown): string[] {
  if (!specAvailable()) return [];
  const key = `${method} ${template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const operation = clientServerSpec()![template]?.[method.toLowerCase()];
    if (!operation) throw new Error(`the spec has no operation ${method} ${template}`);
    // An error status the operation documents without a body schema must still be a standard error.
    const standardError = { type: "object", required: ["errcode", "error"], properties: { errcode: { type: "string" }, error: { type: "string" } } };
    const schema = operation.responses?.[String(status)]?.content?.["application/json"]?.schema ?? (status >= 400 ? standardError : undefined);
    if (!schema) throw new Error(`the spec has no JSON response schema for ${key}`);
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message} ${JSON.stringify(e.params)}`);
}
