import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const V3 = "/_matrix/client/v3/account/3pid";

describe.each(testDrivers())("third-party identifier routes on %s", (driver) => {
  const {
    app,
    users: [user],
  } = useTestApp(driver, { users: 1 });

  const post = (path: string, payload: unknown, auth = true) =>
    app.http.inject({ method: "POST", url: `${V3}${path}`, headers: auth ? bearer(user) : {}, payload: payload as object });

  it("lists no identifiers", async () => {
    const response = await app.http.inject({ method: "GET", url: V3, headers: bearer(user) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ threepids: [] });
    expect(specErrors("GET", V3, 200, response.json())).toEqual([]);
  });

  it("refuses to add an identifier (no session can be validated here) with 400 M_THREEPID_AUTH_FAILED", async () => {
    const add = await post("/add", { client_secret: "abc", sid: "s" });
    expect(add.statusCode).toBe(400);
    expect(add.json().errcode).toBe("M_THREEPID_AUTH_FAILED");
    expect((await post("", { three_pid_creds: { client_secret: "abc", sid: "s" } })).json().errcode).toBe("M_THREEPID_AUTH_FAILED");
    expect((await post("", {})).json().errcode).toBe("M_MISSING_PARAM");
    expect((await post("/add", { client_secret: "bad secret!", sid: "s" })).statusCode).toBe(400);
  });

  it("refuses binding at an identity server with 403 M_THREEPID_DENIED", async () => {
    const bind = await post("/bind", { client_secret: "abc", sid: "s", id_server: "id.example.org", id_access_token: "t" });
    expect(bind.statusCode).toBe(403);
    expect(bind.json().errcode).toBe("M_THREEPID_DENIED");
  });

  it("answers unbind and delete with id_server_unbind_result no-support", async () => {
    for (const path of ["/unbind", "/delete"]) {
      const response = await post(path, { medium: "email", address: "a@example.org" });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id_server_unbind_result: "no-support" });
      expect(specErrors("POST", `${V3}${path}`, 200, response.json())).toEqual([]);
      expect((await post(path, { medium: "carrier-pigeon", address: "x" })).statusCode).toBe(400);
    }
  });

  it("answers requestToken with 400 M_THREEPID_MEDIUM_NOT_SUPPORTED, after checking the body", async () => {
    const email = await post("/email/requestToken", { client_secret: "abc", email: "a@example.org", send_attempt: 1 }, false);
    expect(email.statusCode).toBe(400);
    expect(email.json().errcode).toBe("M_THREEPID_MEDIUM_NOT_SUPPORTED");
    const msisdn = await post("/msisdn/requestToken", { client_secret: "abc", country: "GB", phone_number: "07700900000", send_attempt: 1 }, false);
    expect(msisdn.json().errcode).toBe("M_THREEPID_MEDIUM_NOT_SUPPORTED");
    expect((await post("/email/requestToken", { email: "a@example.org" }, false)).json().errcode).not.toBe("M_THREEPID_MEDIUM_NOT_SUPPORTED");
  });
});
