import type { SpecDocument, SpecOperation } from "./spec-document.js";

export interface MatchedOperation {
  /** The spec's path template, e.g. /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}. */
  template: string;
  /**
   * Usually one; several when the spec merge kept two operations under one path (their keys differ only by
   * a trailing space, e.g. the 3PID and the user-ID form of /invite). A response may match either.
   */
  operations: SpecOperation[];
}

interface Route {
  template: string;
  pattern: RegExp;
  /** Fewer parameters = more specific; literal segments must win over {params}. */
  parameterCount: number;
  byMethod: Map<string, SpecOperation[]>;
}

/** Finds the spec operation for a concrete request path and method. */
export class OperationMatcher {
  private readonly routes: Route[];

  constructor(spec: SpecDocument) {
    const byTemplate = new Map<string, Route>();
    for (const [rawTemplate, methods] of Object.entries(spec.paths)) {
      const template = rawTemplate.trim();
      let route = byTemplate.get(template);
      if (!route) {
        route = {
          template,
          pattern: templateToPattern(template),
          parameterCount: (template.match(/\{[^}]+\}/g) ?? []).length,
          byMethod: new Map(),
        };
        byTemplate.set(template, route);
      }
      for (const [method, operation] of Object.entries(methods)) {
        const key = method.toUpperCase();
        route.byMethod.set(key, [...(route.byMethod.get(key) ?? []), operation]);
      }
    }
    this.routes = [...byTemplate.values()].sort((a, b) => a.parameterCount - b.parameterCount);
  }

  /** `path` is the URL's pathname as sent (still percent-encoded, so a parameter never contains "/"). */
  match(method: string, path: string): MatchedOperation | null {
    for (const route of this.routes) {
      if (!route.pattern.test(path)) continue;
      const operations = route.byMethod.get(method.toUpperCase());
      if (operations) return { template: route.template, operations };
    }
    return null;
  }
}

function templateToPattern(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) =>
    // A parameter may be empty: the state key in /state/{eventType}/{stateKey} often is.
    part.startsWith("{") ? "[^/]*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
  );
  return new RegExp(`^${parts.join("")}$`);
}
