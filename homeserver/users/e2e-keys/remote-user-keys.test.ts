import { describe, expect, it } from "vitest";
import { checkRemoteClaimedKeys, checkRemoteDeviceKeys, failureOf } from "./remote-user-keys.js";

const device = (userId: string, deviceId: string, extra: Record<string, unknown> = {}) => ({
  user_id: userId,
  device_id: deviceId,
  algorithms: ["m.olm.v1.curve25519-aes-sha2"],
  keys: { [`ed25519:${deviceId}`]: "a2V5" },
  signatures: { [userId]: { [`ed25519:${deviceId}`]: "c2ln" } },
  ...extra,
});

describe("checking another server's key answers", () => {
  it("keeps the well-formed devices of the users and devices asked for, and nothing else", () => {
    const answer = {
      device_keys: {
        "@a:remote": {
          GOOD: device("@a:remote", "GOOD", { unsigned: { device_display_name: "Phone", junk: 1 } }),
          WRONGID: device("@a:remote", "OTHER"),
          WRONGUSER: device("@b:remote", "WRONGUSER"),
          NOKEYS: { ...device("@a:remote", "NOKEYS"), keys: { x: 5 } },
          NOTOBJECT: "device",
        },
        "@unasked:remote": { D: device("@unasked:remote", "D") },
      },
    };
    expect(checkRemoteDeviceKeys(answer, { "@a:remote": [], "@missing:remote": [] })).toEqual({
      "@a:remote": { GOOD: { ...device("@a:remote", "GOOD"), unsigned: { device_display_name: "Phone" } } },
    });
    expect(checkRemoteDeviceKeys(answer, { "@a:remote": ["WRONGID", "NOKEYS"] })).toEqual({ "@a:remote": {} });
    expect(checkRemoteDeviceKeys("nonsense", { "@a:remote": [] })).toEqual({});
  });

  it("keeps claimed keys of the algorithm asked for, shaped as keys; a __proto__ device id stays an ordinary key", () => {
    const answer = JSON.parse(
      JSON.stringify({
        one_time_keys: {
          "@a:remote": {
            D1: { "signed_curve25519:K": { key: "a2V5", signatures: { "@a:remote": { "ed25519:D1": "c2ln" } } }, "curve25519:X": "a2V5" },
            D2: { "signed_curve25519:K": { key: 5 } },
            ["__proto__"]: { "signed_curve25519:P": "a2V5" },
          },
        },
      }),
    );
    const checked = checkRemoteClaimedKeys(answer, { "@a:remote": { D1: "signed_curve25519", D2: "signed_curve25519", ["__proto__"]: "signed_curve25519" } });
    expect(Object.keys(checked["@a:remote"]).sort()).toEqual(["D1", "__proto__"]);
    expect(checked["@a:remote"].D1).toEqual({ "signed_curve25519:K": { key: "a2V5", signatures: { "@a:remote": { "ed25519:D1": "c2ln" } } } });
    expect(({} as Record<string, unknown>)["signed_curve25519:P"]).toBeUndefined();
  });

  it("reports a failed server with the status it answered, else 503", () => {
    expect(failureOf(Object.assign(new Error("remote answered 403"), { status: 403 }))).toEqual({ status: 403, message: "remote answered 403" });
    expect(failureOf(new Error("cannot connect"))).toEqual({ status: 503, message: "cannot connect" });
  });
});
