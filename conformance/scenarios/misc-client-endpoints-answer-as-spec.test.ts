import { Direction, Preset } from "matrix-js-sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { homeserverUrl } from "../support/homeserver-under-test.js";
import { expectMatrixError } from "../support/matrix-error.js";
import { rawRequest } from "../support/raw-request.js";
import { registerUsers, type TestUser } from "../support/register-user.js";
import { sendText } from "../support/send-text.js";

describe("reports, timestamp_to_event, turnServer, OpenID and 3pids", () => {
  let owner: TestUser;
  let outsider: TestUser;
  let roomId: string;
  let messageId: string;

  beforeAll(async () => {
    const [a, b] = await registerUsers(2, "misc");
    owner = a!;
    outsider = b!;
    ({ room_id: roomId } = await owner.client.createRoom({ preset: Preset.PrivateChat, name: "misc" }));
    messageId = await sendText(owner.client, roomId, "report me");
  });

  it("a member reports an event; an unknown event, or one the reporter cannot see, is 404 M_NOT_FOUND", async () => {
    await expect(owner.client.reportEvent(roomId, messageId, -100, "spam")).resolves.toEqual({});
    expect(await expectMatrixError(() => owner.client.reportEvent(roomId, "$doesnotexist", 0, "x"))).toEqual({ status: 404, errcode: "M_NOT_FOUND" });
    expect(await expectMatrixError(() => outsider.client.reportEvent(roomId, messageId, 0, "x"))).toEqual({ status: 404, errcode: "M_NOT_FOUND" });
  });

  it("anyone reports a room that exists; POST /users/{userId}/report accepts a reason", async () => {
    const room = await rawRequest({ method: "POST", path: `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/report`, accessToken: outsider.accessToken, body: JSON.stringify({ reason: "bad room" }) });
    expect(room.status).toBe(200);
    const user = await rawRequest({ method: "POST", path: `/_matrix/client/v3/users/${encodeURIComponent(owner.userId)}/report`, accessToken: outsider.accessToken, body: JSON.stringify({ reason: "rude" }) });
    expect(user.status).toBe(200);
  });

  it("timestamp_to_event finds the message going back from now, and 404 going forward from the future", async () => {
    const found = await owner.client.timestampToEvent(roomId, Date.now() + 60_000, Direction.Backward);
    expect(found.event_id).toBe(messageId);
    expect(typeof found.origin_server_ts).toBe("number");
    const error = await expectMatrixError(() => owner.client.timestampToEvent(roomId, Date.now() + 3_600_000, Direction.Forward));
    expect(error).toEqual({ status: 404, errcode: "M_NOT_FOUND" });
  });

  it("turnServer answers credentials, or {} when the server offers no TURN", async () => {
    // Plain fetch: {} (Synapse's answer without TURN, and ours) is outside the spec's schema, which requires the fields.
    const response = await fetch(new URL("/_matrix/client/v3/voip/turnServer", homeserverUrl()), { headers: { authorization: `Bearer ${owner.accessToken}` } });
    expect(response.status).toBe(200);
    const turn = (await response.json()) as Record<string, unknown>;
    if (Object.keys(turn).length > 0) expect(turn).toMatchObject({ username: expect.any(String), password: expect.any(String), uris: expect.any(Array), ttl: expect.any(Number) });
  });

  it("an OpenID token names its user at the federation userinfo endpoint; a wrong one is 401 M_UNKNOWN_TOKEN", async () => {
    const token = await owner.client.getOpenIdToken();
    expect(token.token_type).toBe("Bearer");
    expect(token.expires_in).toBeGreaterThan(0);
    const userinfo = (accessToken: string) => fetch(new URL(`/_matrix/federation/v1/openid/userinfo?access_token=${encodeURIComponent(accessToken)}`, homeserverUrl()));
    const ok = await userinfo(token.access_token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: owner.userId });
    const bad = await userinfo("not-a-token");
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { errcode: string }).errcode).toBe("M_UNKNOWN_TOKEN");
    const other = await rawRequest({ method: "POST", path: `/_matrix/client/v3/user/${encodeURIComponent(outsider.userId)}/openid/request_token`, accessToken: owner.accessToken, body: "{}" });
    expect(other.status).toBe(403);
  });

  it("a new account has no third-party identifiers", async () => {
    expect(await owner.client.getThreePids()).toEqual({ threepids: [] });
  });
});
