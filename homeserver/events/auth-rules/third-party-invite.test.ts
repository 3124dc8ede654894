import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../crypto/canonical-json.js";
import type { JsonObject } from "../pdu.js";
import { signedBlockMatchesAnyKey, type AuthResult } from "./index.js";
import { ALL_VERSIONS, BOB, CAROL, DAVE, EVE, TestRoom } from "./test-fixtures.js";

const allowed = (r: AuthResult) => expect(r).toEqual({ ok: true });
const rejected = (r: AuthResult, why: RegExp) => expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(why) });

function identityServerKey(): { privateKey: KeyObject; publicBase64: string; publicUrlSafe: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const publicBase64 = raw.toString("base64").replace(/=+$/, "");
  return { privateKey, publicBase64, publicUrlSafe: publicBase64.replace(/\+/g, "-").replace(/\//g, "_") };
}

function signBlock(block: JsonObject, key: KeyObject, server = "id.example"): JsonObject {
  const signature = sign(null, Buffer.from(canonicalJson(block)), key).toString("base64").replace(/=+$/, "");
  return { ...block, signatures: { [server]: { "ed25519:0": signature } } };
}

function setup(v: string, inviteContent?: (pub: string) => JsonObject) {
  const room = new TestRoom(v);
  const key = identityServerKey();
  room.state_("m.room.third_party_invite", "tok", inviteContent?.(key.publicBase64) ?? {
    display_name: "d...@example.com",
    key_validity_url: "https://id.example/_matrix/identity/v2/pubkey/isvalid",
    public_key: key.publicBase64,
  }, BOB);
  const signed = signBlock({ mxid: DAVE, token: "tok" }, key.privateKey);
  const invite = (content: JsonObject = { display_name: "d", signed }, sender = BOB, target = DAVE) =>
    room.checkMember(sender, target, "invite", { third_party_invite: content });
  return { room, key, signed, invite };
}

describe("m.room.member invite with third_party_invite (rule 5.4.1 / 4.4.1)", () => {
  it.each(ALL_VERSIONS)("v%s: 4.1.7 a signed block verified by the invite's public_key is allowed", (v) => {
    allowed(setup(v).invite());
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.7 a key from the public_keys list (url-safe base64) also verifies", (v) => {
    const { invite } = setup(v, (pub) => ({
      public_keys: [{ public_key: "AAAA" }, { public_key: pub.replace(/\+/g, "-").replace(/\//g, "_") }],
    }));
    allowed(invite());
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.1 a banned target is rejected", (v) => {
    const { room, key } = setup(v);
    const signed = signBlock({ mxid: EVE, token: "tok" }, key.privateKey);
    rejected(room.checkMember(BOB, EVE, "invite", { third_party_invite: { signed } }), /banned/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.2 a third_party_invite without signed is rejected", (v) => {
    rejected(setup(v).invite({ display_name: "d" }), /no signed block/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.3 a signed block without mxid or token is rejected", (v) => {
    const { invite, key } = setup(v);
    rejected(invite({ signed: signBlock({ token: "tok" }, key.privateKey) }), /lacks mxid or token/);
    rejected(invite({ signed: signBlock({ mxid: DAVE }, key.privateKey) }), /lacks mxid or token/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.4 mxid differing from state_key is rejected", (v) => {
    const { invite, signed } = setup(v);
    rejected(invite({ signed }, BOB, "@mallory:b.example"), /mxid does not match/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.5 a token with no m.room.third_party_invite in state is rejected", (v) => {
    const { invite, key } = setup(v);
    rejected(invite({ signed: signBlock({ mxid: DAVE, token: "other" }, key.privateKey) }), /no m.room.third_party_invite/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.6 a sender other than the third-party invite's sender is rejected", (v) => {
    const { invite, signed } = setup(v);
    rejected(invite({ signed }, CAROL), /sender differs/);
  });

  it.each(ALL_VERSIONS)("v%s: 4.1.8 a signature by another key, or over other content, is rejected", (v) => {
    const { invite, signed } = setup(v);
    const stranger = identityServerKey();
    rejected(invite({ signed: signBlock({ mxid: DAVE, token: "tok" }, stranger.privateKey) }), /matches none/);
    rejected(invite({ signed: { ...signed, token: "tok", extra: "tampered" } }), /matches none/);
    rejected(invite({ signed: { mxid: DAVE, token: "tok" } }), /matches none/);
  });

  it.each(ALL_VERSIONS)("v%s: the third-party path does not need the sender to be joined (spec order)", (v) => {
    const { room, invite } = setup(v);
    room.member(BOB, "leave");
    allowed(invite());
  });
});

describe("signedBlockMatchesAnyKey", () => {
  it("ignores non-ed25519 key ids and malformed signatures without throwing", () => {
    const key = identityServerKey();
    const good = signBlock({ mxid: DAVE, token: "t" }, key.privateKey);
    const sig = (good["signatures"] as JsonObject)["id.example"] as JsonObject;
    expect(signedBlockMatchesAnyKey({ mxid: DAVE, token: "t", signatures: { s: { "curve25519:0": sig["ed25519:0"]! } } }, [key.publicBase64])).toBe(false);
    expect(signedBlockMatchesAnyKey({ mxid: DAVE, token: "t", signatures: { s: { "ed25519:0": "!!!" } } }, [key.publicBase64])).toBe(false);
    expect(signedBlockMatchesAnyKey(good, ["not base64!", key.publicUrlSafe])).toBe(true);
  });
});
