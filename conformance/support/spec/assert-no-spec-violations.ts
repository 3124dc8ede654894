import { afterEach } from "vitest";
import { formatSpecViolations, takeSpecViolations } from "./spec-violations.js";

// Every test fails if any response it saw did not match the spec's schema for that endpoint and status.
afterEach(() => {
  const violations = takeSpecViolations();
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} response(s) did not match the Matrix spec schema:\n${formatSpecViolations(violations)}`,
    );
  }
});
