import { Ajv } from "ajv";
import type { FastifyInstance, FastifySchema } from "fastify";
import { errors } from "../../errors.js";
import { textParamProblem } from "../../json-limits.js";

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
  // Path and query parameters are ids, types and keys the server stores: refused before any route sees them.
  app.addHook("preValidation", async (request) => {
    const problem = parameterProblem(request.params) ?? parameterProblem(request.query);
    if (problem) throw errors.invalidParam(problem);
  });
}

function parameterProblem(parameters: unknown): string | undefined {
  if (parameters === null || typeof parameters !== "object") return undefined;
  for (const [name, value] of Object.entries(parameters)) {
    const values = Array.isArray(value) ? value : [value];
    for (const text of values) {
      const problem = typeof text === "string" ? (textParamProblem(text) ?? (name.includes("\u0000") ? "U+0000 is not allowed in parameters" : undefined)) : undefined;
      if (problem) return `${name.replace(/\u0000/g, "")}: ${problem}`;
    }
  }
  return undefined;
}

export type RouteSchema = FastifySchema;
