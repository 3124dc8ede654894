import { Ajv } from "ajv";
import type { FastifyInstance, FastifySchema } from "fastify";

/**
 * Two validators: bodies are checked strictly (a wrong JSON type is M_BAD_JSON, never silently coerced),
 * while path and query strings are coerced, since they are text on the wire.
 */
export function installValidation(app: FastifyInstance): void {
  const bodyAjv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false });
  const textAjv = new Ajv({ coerceTypes: "array", useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === "body" ? bodyAjv : textAjv;
    return ajv.compile(schema as object);
  });
}

export type RouteSchema = FastifySchema;
