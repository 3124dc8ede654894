import { describe, expect, it } from "vitest";
import { useTestApp } from "./testing/use-test-app.js";
import { testDrivers } from "../storage/test-databases.js";
import { freshLocalpart } from "../users/testing/http-users.js";
import { registerUserFromShell } from "./cli-register-user.js";

describe.each(testDrivers())("registerUserFromShell on %s", (driver) => {
  // Registration closed to clients: the shell command must still work.
  const { app } = useTestApp(driver, { config: { registration: { enabled: false } } });

  const login = (localpart: string, password: string) =>
    app.http.inject({ method: "POST", url: "/_matrix/client/v3/login", payload: { type: "m.login.password", user: localpart, password } });

  it("creates an account that can log in, and marks admins", async () => {
    const localpart = freshLocalpart("admin");
    const { userId } = await registerUserFromShell(app.ctx, { localpart, password: "pw", admin: true });
    expect(userId).toBe(`@${localpart}:test.local`);
    const session = (await login(localpart, "pw")).json();
    expect(await app.ctx.users.auth.authenticate(session.access_token)).toMatchObject({ userId, isAdmin: true });
  });

  it("accepts a full user id on this server and refuses one on another server", async () => {
    const localpart = freshLocalpart();
    expect((await registerUserFromShell(app.ctx, { localpart: `@${localpart}:test.local`, password: "pw", admin: false })).userId).toBe(
      `@${localpart}:test.local`,
    );
    await expect(registerUserFromShell(app.ctx, { localpart: `@${freshLocalpart()}:elsewhere`, password: "pw", admin: false })).rejects.toMatchObject({
      errcode: "M_INVALID_USERNAME",
    });
  });

  it("refuses a taken or invalid localpart with M_USER_IN_USE / M_INVALID_USERNAME", async () => {
    const localpart = freshLocalpart();
    await registerUserFromShell(app.ctx, { localpart, password: "pw", admin: false });
    await expect(registerUserFromShell(app.ctx, { localpart, password: "pw", admin: false })).rejects.toMatchObject({ errcode: "M_USER_IN_USE" });
    await expect(registerUserFromShell(app.ctx, { localpart: "no spaces", password: "pw", admin: false })).rejects.toMatchObject({
      errcode: "M_INVALID_USERNAME",
    });
  });
});
