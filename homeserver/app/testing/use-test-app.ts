import { afterAll, beforeAll } from "vitest";
import type { Clock } from "../../core/clock.js";
import { registerTestUser, type TestUser } from "../../users/testing/http-users.js";
import { createTestApp, type DriverName, type TestApp } from "../test-app.js";

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

/** An object that forwards every read to `current()`, which beforeAll fills in. */
function standIn<T extends object>(name: string, current: () => T | undefined): T {
  const real = (): T => {
    const value = current();
    if (value === undefined) throw new Error(`${name} is used outside the tests (before beforeAll made it, or after afterAll)`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_target, key) => {
      const value = real();
      const property = Reflect.get(value, key, value);
      return typeof property === "function" ? property.bind(value) : property;
    },
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may only report an own property as configurable when its target lacks it.
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}
