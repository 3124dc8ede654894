import { describe, expect, it } from "vitest";
import { testDrivers } from "../../../homeserver/app/test-app.js";
import { useTestApp } from "../../../homeserver/app/testing/use-test-app.js";
import { bearer, registerTestUser, type TestUser } from "../../../homeserver/users/testing/http-users.js";
import { specErrors } from "../../../homeserver/users/testing/spec-responses.js";

const BASE = "/_matrix/client/v3/pushrules";
const ruleUrl = (kind: string, ruleId: string, attr = "") => `${BASE}/global/${kind}/${encodeURIComponent(ruleId)}${attr ? `/${attr}` : ""}`;
const ids = (rules: Array<{ rule_id: string }>) => rules.map((r) => r.rule_id);

describe.each(testDrivers())("push rule routes on %s", (driver) => {
  const { app } = useTestApp(driver);

  const request = (who: TestUser, method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    app.http.inject({ method, url, headers: bearer(who), payload: payload as object | undefined });

  it("GET /pushrules/ answers the spec's predefined rules, with the user's own id and localpart filled in", async () => {
    const user = await registerTestUser(app.http);
    const response = await request(user, "GET", `${BASE}/`);
    expect(response.statusCode).toBe(200);
    expect(specErrors("GET", "/_matrix/client/v3/pushrules/", 200, response.json())).toEqual([]);
    const { global } = response.json();
    expect(ids(global.override)).toEqual([
      ".m.rule.master",
      ".m.rule.suppress_notices",
      ".m.rule.invite_for_me",
      ".m.rule.member_event",
      ".m.rule.is_user_mention",
      ".m.rule.contains_display_name",
      ".m.rule.is_room_mention",
      ".m.rule.roomnotif",
      ".m.rule.tombstone",
      ".m.rule.reaction",
      ".m.rule.room.server_acl",
      ".m.rule.suppress_edits",
    ]);
    expect(ids(global.underride)).toEqual([".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted"]);
    expect(global.content).toEqual([expect.objectContaining({ rule_id: ".m.rule.contains_user_name", pattern: user.userId.slice(1).split(":")[0] })]);
    const mention = global.override.find((r: { rule_id: string }) => r.rule_id === ".m.rule.is_user_mention");
    expect(mention.conditions[0]).toEqual({ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: user.userId });
    expect(global.override[0].enabled).toBe(false);
    const globalOnly = await request(user, "GET", `${BASE}/global/`);
    expect(globalOnly.json()).toEqual(global);
  });

  it("adds a user's rules above the server's, in the order before/after ask, and deletes them", async () => {
    const user = await registerTestUser(app.http);
    expect((await request(user, "PUT", ruleUrl("content", "cake"), { pattern: "cake", actions: ["notify"] })).statusCode).toBe(200);
    expect((await request(user, "PUT", ruleUrl("content", "tea"), { pattern: "tea", actions: ["notify", "dont_notify"] })).statusCode).toBe(200);
    expect((await request(user, "PUT", `${ruleUrl("content", "lie")}?after=cake`, { pattern: "cake*lie", actions: [] })).statusCode).toBe(200);
    expect((await request(user, "PUT", `${ruleUrl("content", "first")}?before=tea`, { pattern: "x", actions: [] })).statusCode).toBe(200);
    const { global } = (await request(user, "GET", `${BASE}/`)).json();
    expect(ids(global.content)).toEqual(["first", "tea", "cake", "lie", ".m.rule.contains_user_name"]);
    // The historical dont_notify action is stripped.
    expect(global.content[1]).toEqual({ rule_id: "tea", default: false, enabled: true, pattern: "tea", actions: ["notify"] });

    const override = { conditions: [{ kind: "event_match", key: "content.body", pattern: "beer" }], actions: ["notify"] };
    expect((await request(user, "PUT", ruleUrl("override", "beer"), override)).statusCode).toBe(200);
    const after = (await request(user, "GET", `${BASE}/`)).json().global;
    // The master rule stays first; user overrides come before the other server overrides.
    expect(ids(after.override).slice(0, 3)).toEqual([".m.rule.master", "beer", ".m.rule.suppress_notices"]);
    expect((await request(user, "PUT", ruleUrl("room", "!room:test.local"), { actions: [] })).statusCode).toBe(200);
    expect((await request(user, "GET", ruleUrl("room", "!room:test.local"))).json()).toEqual({ rule_id: "!room:test.local", default: false, enabled: true, actions: [] });

    expect((await request(user, "DELETE", ruleUrl("content", "cake"))).statusCode).toBe(200);
    expect((await request(user, "GET", ruleUrl("content", "cake"))).statusCode).toBe(404);
    expect((await request(user, "DELETE", ruleUrl("content", "cake"))).statusCode).toBe(404);
  });

  it("sets enabled and actions on server-default rules and on the user's own", async () => {
    const user = await registerTestUser(app.http);
    expect((await request(user, "PUT", ruleUrl("override", ".m.rule.master", "enabled"), { enabled: true })).statusCode).toBe(200);
    expect((await request(user, "GET", ruleUrl("override", ".m.rule.master", "enabled"))).json()).toEqual({ enabled: true });
    const actions = ["notify", { set_tweak: "sound", value: "bell" }];
    expect((await request(user, "PUT", ruleUrl("underride", ".m.rule.message", "actions"), { actions })).statusCode).toBe(200);
    expect((await request(user, "GET", ruleUrl("underride", ".m.rule.message", "actions"))).json()).toEqual({ actions });
    const rule = (await request(user, "GET", ruleUrl("underride", ".m.rule.message"))).json();
    expect(rule).toMatchObject({ rule_id: ".m.rule.message", default: true, enabled: true, actions });
    expect(specErrors("GET", "/_matrix/client/v3/pushrules/global/{kind}/{ruleId}", 200, rule)).toEqual([]);
  });

  it("answers the spec's errors and changes nothing on a bad request", async () => {
    const user = await registerTestUser(app.http);
    const before = (await request(user, "GET", `${BASE}/`)).json();
    const cases: Array<[string, string, unknown, number]> = [
      ["PUT", ruleUrl("override", ".m.rule.mine"), { conditions: [], actions: [] }, 400],
      ["PUT", ruleUrl("override", "no-conditions"), { actions: [] }, 400],
      ["PUT", ruleUrl("content", "no-pattern"), { actions: [] }, 400],
      ["PUT", ruleUrl("content", "no-actions"), { pattern: "x" }, 400],
      ["PUT", ruleUrl("content", "bad-action"), { pattern: "x", actions: ["explode"] }, 400],
      ["PUT", `${ruleUrl("content", "anchored")}?before=missing`, { pattern: "x", actions: [] }, 400],
      ["PUT", ruleUrl("nonsense", "x"), { actions: [] }, 400],
      ["PUT", ruleUrl("override", ".m.rule.master", "enabled"), { enabled: "yes" }, 400],
      ["PUT", ruleUrl("override", "unknown", "enabled"), { enabled: true }, 404],
      ["PUT", ruleUrl("override", "unknown", "actions"), { actions: [] }, 404],
      ["GET", ruleUrl("override", "unknown"), undefined, 404],
      ["GET", ruleUrl("nonsense", "x"), undefined, 400],
      ["DELETE", ruleUrl("override", ".m.rule.master"), undefined, 404],
      ["PUT", ruleUrl("content", "nul\u0000"), { pattern: "x\u0000", actions: [] }, 400],
    ];
    for (const [method, url, payload, status] of cases) {
      const response = await request(user, method as "GET", url, payload);
      expect({ method, url, status: response.statusCode }).toEqual({ method, url, status });
      expect(typeof response.json().errcode).toBe("string");
    }
    expect((await request(user, "GET", `${BASE}/`)).json()).toEqual(before);
    const anonymous = await app.http.inject({ method: "GET", url: `${BASE}/` });
    expect(anonymous.statusCode).toBe(401);
  });

  it("sends m.push_rules in the initial sync and again, whole, after a change", async () => {
    const user = await registerTestUser(app.http);
    const initial = (await request(user, "GET", "/_matrix/client/v3/sync")).json();
    const rules = initial.account_data.events.find((e: { type: string }) => e.type === "m.push_rules");
    expect(ids(rules.content.global.override)[0]).toBe(".m.rule.master");
    const quiet = (await request(user, "GET", `/_matrix/client/v3/sync?since=${initial.next_batch}&timeout=0`)).json();
    expect(quiet.account_data).toBeUndefined();
    await request(user, "PUT", ruleUrl("sender", "@spam:test.local"), { actions: [] });
    const changed = (await request(user, "GET", `/_matrix/client/v3/sync?since=${initial.next_batch}&timeout=0`)).json();
    const update = changed.account_data.events.find((e: { type: string }) => e.type === "m.push_rules");
    expect(ids(update.content.global.sender)).toEqual(["@spam:test.local"]);
    expect(update.content.global.underride.length).toBe(5);
  });
});
