import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import type { KnownDeviation } from "./known-deviations.js";
import { OperationMatcher } from "./operation-matcher.js";
import { loadClientServerSpec } from "./spec-document.js";
import { registerSpecFormats } from "./spec-formats.js";

export interface ResponseToCheck {
  method: string;
  /** URL pathname as sent. */
  path: string;
  status: number;
  contentType: string;
  bodyText: string;
}

export interface SpecViolation {
  method: string;
  path: string;
  template: string;
  status: number;
  errors: string[];
  bodyExcerpt: string;
}

/**
 * The spec requires every API-level error to be a "standard error response"; used for error statuses the
 * operation does not list itself (e.g. 401 on an authenticated endpoint).
 */
const standardErrorSchema = {
  type: "object",
  required: ["errcode"],
  properties: { errcode: { type: "string" }, error: { type: "string" } },
};

/** Validates response bodies against the client-server OpenAPI document; schemas compile lazily, once. */
export class ResponseValidator {
  private readonly ajv: Ajv2020;
  private readonly matcher: OperationMatcher;
  private readonly compiled = new Map<object, ValidateFunction>();

  private constructor(
    spec: NonNullable<ReturnType<typeof loadClientServerSpec>>,
    private readonly tolerated: KnownDeviation[],
  ) {
    // addUsedSchema: false, since the dereferenced document repeats the same schema objects many times.
    // verbose: errors carry the offending value, which known deviations are matched on.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true, addUsedSchema: false, logger: false });
    registerSpecFormats(this.ajv, spec);
    this.matcher = new OperationMatcher(spec);
  }

  /** null when the spec data is not available. `tolerated`: known deviations of the server under test. */
  static fromSharedSpec(tolerated: KnownDeviation[] = []): ResponseValidator | null {
    const spec = loadClientServerSpec();
    return spec ? new ResponseValidator(spec, tolerated) : null;
  }

  check(response: ResponseToCheck): SpecViolation | null {
    const matched = this.matcher.match(response.method, response.path);
    const template = matched?.template ?? "(no spec operation)";
    const documented = (matched?.operations ?? [])
      .map((operation) => operation.responses?.[String(response.status)])
      .filter((r) => r !== undefined);
    let schemas = documented
      .map((r) => r.content?.["application/json"]?.schema)
      .filter((s): s is object => s !== undefined);
    if (documented.length === 0 && response.status >= 400) schemas = [standardErrorSchema];
    if (schemas.length === 0) return null;

    const violation = (errors: string[]): SpecViolation => ({
      method: response.method,
      path: response.path,
      template,
      status: response.status,
      errors,
      bodyExcerpt: response.bodyText.slice(0, 600),
    });
    if (!/json/i.test(response.contentType)) {
      return violation([`expected a JSON body, got content-type "${response.contentType}"`]);
    }
    let body: unknown;
    try {
      body = JSON.parse(response.bodyText);
    } catch {
      return violation(["body is not valid JSON"]);
    }
    const tolerated = this.tolerated.filter((d) => d.method === response.method && d.template === template);
    let firstErrors: string[] = [];
    for (const schema of schemas) {
      const validate = this.compile(schema);
      if (validate(body)) return null;
      const errors = (validate.errors ?? []).filter((error) => !tolerated.some((d) => d.covers(error)));
      if (errors.length === 0) return null;
      if (firstErrors.length === 0) firstErrors = describeErrors(errors);
    }
    return violation(firstErrors);
  }

  private compile(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

function describeErrors(errors: ErrorObject[]): string[] {
  return errors.slice(0, 20).map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
