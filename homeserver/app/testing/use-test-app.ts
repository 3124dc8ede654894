import { afterAll, beforeAll } from "vitest";
import type { Clock } from "../../core/clock.js";
import { registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import { createTestApp, type DriverName, type TestApp } from "../test-app.js";
import { standIn } from "../../core/testing/stand-in.js";

export interface UseTestAppOptions {
  /** Config overrides, as createTestApp takes them. */
  config?: Record<string, unknown>;
  clock?: Clock;
  /** How many users to register (through POST /register) once the app is up. */
  users?: number;
  federationSender?: boolean;
}

export interface TestAppFixture {
  app: TestApp;
  users: TestUser[];
}

/**
 * The preamble most route tests repeat, as hooks of the enclosing describe: beforeAll makes a test app on
 * `driver` and registers `users` users, afterAll disposes of the app. The app and users returned stand for
 * the real ones (each forwards to what beforeAll made), so a file names them once at the top as it named its
 * `let` variables, and its tests read as before. Touching them before beforeAll has run throws.
 */
export function useTestApp(driver: DriverName, options: UseTestAppOptions = {}): TestAppFixture {
  let app: TestApp | undefined;
  const users: TestUser[] = [];
  beforeAll(async () => {
    app = await createTestApp(driver, options.config, options.clock, { federationSender: options.federationSender });
    for (let i = 0; i < (options.users ?? 0); i++) users.push(await registerTestUser(app.http));
  });
  afterAll(async () => {
    await app?.dispose();
    app = undefined;
    users.length = 0;
  });
  return {
    app: standIn("the test app", () => app),
    users: Array.from({ length: options.users ?? 0 }, (_, i) => standIn(`test user ${i}`, () => users[i])),
  };
}
