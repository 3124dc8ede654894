import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * Test support: checks response bodies against the spec's OpenAPI document (read from ../shared, never
 * copied). Formats are not checked: the spec uses its own (mx-user-id, ...) and their patterns are in the
 * schemas anyway.
 */
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}

const SPEC_FILE = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/matrix-spec/client-server.json");

let spec: { paths: Record<string, Record<string, Operation>> } | undefined;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, addUsedSchema: false, logger: false });
const compiled = new Map<object, ValidateFunction>();

/**
 * Returns the schema errors of `body` as the response of `method template` with `status` (an empty list when
 * it conforms). Throws if the spec does not document that response, so a typo cannot pass silently.
 */
export function specErrors(method: string, template: string, status: number, body: unknown): string[] {
  spec ??= JSON.parse(readFileSync(process.env.MATRIX_SPEC_FILE ?? SPEC_FILE, "utf8"));
  const operation = spec!.paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the spec has no operation ${method} ${template}`);
  const schema = operation.responses?.[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`the spec documents no JSON body for ${method} ${template} ${status}`);
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message}`);
}
