import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { clientServerSpec } from "../../testing/spec-document.js";

/**
 * Test support: checks response bodies against the spec's OpenAPI document (homeserver/testing/spec-document.ts
 * says where it is read from and when the checks are off). Formats are not checked: the spec uses its own
 * (mx-user-id, ...) and their patterns are in the schemas anyway.
 */
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, addUsedSchema: false, logger: false });
const compiled = new Map<object, ValidateFunction>();

/**
 * Returns the schema errors of `body` as the response of `method template` with `status` (an empty list when
 * it conforms, or when the spec document is not there). Throws if the spec does not document that response,
 * so a typo cannot pass silently.
 */
export function specErrors(method: string, template: string, status: number, body: unknown): string[] {
  const paths = clientServerSpec();
  if (!paths) return [];
  const operation = paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the spec has no operation ${method} ${template}`);
  const schema = operation.responses?.[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`the spec documents no JSON body for ${method} ${template} ${status}`);
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message}`);
}
