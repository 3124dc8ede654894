import { describe, expect, it } from "vitest";
import { testDrivers } from "../../homeserver/app/test-app.js";
import { useTestApp } from "../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser } from "../../homeserver/users/testing/http-users.js";

describe.each(testDrivers())("client API Content-Type on %s", (driver) => {
  const { app } = useTestApp(driver);

  it("is exactly application/json, with no charset parameter, on successful JSON responses", async () => {
    const user = await registerTestUser(app.http);
    for (const response of [
      await app.http.inject({ method: "GET", url: "/_matrix/client/versions" }),
      await app.http.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami", headers: bearer(user) }),
      await app.http.inject({ method: "GET", url: "/_matrix/client/r0/account/whoami", headers: bearer(user) }),
      await app.http.inject({ method: "GET", url: "/.well-known/matrix/client" }),
    ]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json");
    }
  });

  it("is exactly application/json on errors: bad token, bad JSON, unknown endpoint and wrong method", async () => {
    for (const [response, status] of [
      [await app.http.inject({ method: "GET", url: "/_matrix/client/v3/account/whoami" }), 401],
      [await app.http.inject({ method: "POST", url: "/_matrix/client/v3/login", payload: "{not json", headers: { "content-type": "application/json" } }), 400],
      [await app.http.inject({ method: "GET", url: "/_matrix/client/v3/no_such_endpoint" }), 404],
      [await app.http.inject({ method: "DELETE", url: "/_matrix/client/v3/login" }), 405],
    ] as const) {
      expect(response.statusCode).toBe(status);
      expect(response.json().errcode).toBeDefined();
      expect(response.headers["content-type"]).toBe("application/json");
    }
  });
});
