import { describe, expect, it } from "vitest";
import { useTestApp } from "./testing/use-test-app.js";

describe("HTTP plumbing", () => {
  const { app } = useTestApp("embedded");

  it("answers unknown endpoints with 404 M_UNRECOGNIZED", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/no/such/thing" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });

  it("answers a known path with the wrong method with 405 M_UNRECOGNIZED", async () => {
    const response = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/createRoom" });
    expect(response.statusCode).toBe(405);
    expect(response.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });

  it("answers a body that is not JSON with 400 M_NOT_JSON", async () => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", payload: "{not json", headers: { "content-type": "application/json", authorization: "Bearer x" } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_NOT_JSON" });
  });

  it("answers valid JSON of the wrong shape (an array body) with 400 M_BAD_JSON", async () => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", payload: "[]", headers: { "content-type": "application/json", authorization: "Bearer x" } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errcode: "M_BAD_JSON" });
  });

  it("asks for a token before anything else with 401 M_MISSING_TOKEN", async () => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", payload: {} });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ errcode: "M_MISSING_TOKEN" });
  });

  it("rejects an unknown token with 401 M_UNKNOWN_TOKEN", async () => {
    const response = await app.http.inject({ method: "POST", url: "/_matrix/client/v3/createRoom", payload: {}, headers: { authorization: "Bearer nope" } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ errcode: "M_UNKNOWN_TOKEN" });
  });

  it("answers CORS preflight for any path and adds CORS headers to responses", async () => {
    const preflight = await app.http.inject({ method: "OPTIONS", url: "/_matrix/client/v3/anything" });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers["access-control-allow-origin"]).toBe("*");
    const normal = await app.http.inject({ method: "GET", url: "/_matrix/client/v3/no/such/thing" });
    expect(normal.headers["access-control-allow-headers"]).toContain("Authorization");
  });

  it("refuses a body over the size limit with 413 M_TOO_LARGE", async () => {
    const response = await app.http.inject({
      method: "POST",
      url: "/_matrix/client/v3/createRoom",
      payload: JSON.stringify({ name: "x".repeat(app.ctx.config.max_request_body_bytes + 10) }),
      headers: { "content-type": "application/json" },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ errcode: "M_TOO_LARGE" });
  });
});
