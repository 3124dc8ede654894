import type { SpecViolation } from "./response-validator.js";

// Per test-file process (vitest forks one per file): collected by validatingFetch, drained after each test.
const recorded: SpecViolation[] = [];

export function recordSpecViolation(violation: SpecViolation): void {
  recorded.push(violation);
}

export function takeSpecViolations(): SpecViolation[] {
  return recorded.splice(0, recorded.length);
}

export function formatSpecViolations(violations: SpecViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.method} ${v.path} -> ${v.status} (spec: ${v.template})\n` +
        v.errors.map((e) => `    ${e}`).join("\n") +
        `\n    body: ${v.bodyExcerpt}`,
    )
    .join("\n");
}
