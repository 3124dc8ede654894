import { describe, expect, it } from "vitest";
import { serverDelegationOf } from "../discovery/get-server-wellknown.js";

describe("/.well-known/matrix/server delegation", () => {
  it("is well_known.server when set, public_baseurl's host and port with serve_server, else nothing", () => {
    expect(serverDelegationOf({ server: "m.example.org:8448", serve_server: true }, "https://x.example/")).toBe("m.example.org:8448");
    expect(serverDelegationOf({ server: null, serve_server: true }, "https://matrix.example.org/")).toBe("matrix.example.org:443");
    expect(serverDelegationOf({ server: null, serve_server: true }, "http://matrix.example.org:8008/")).toBe("matrix.example.org:8008");
    expect(serverDelegationOf({ server: null, serve_server: false }, "https://matrix.example.org/")).toBeUndefined();
  });
});
