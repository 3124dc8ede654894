import { describe, expect, it } from "vitest";
import { compileServerAcl, globToRegExp, hostOf, isIpLiteral, serverAllowedByAcl } from "./server-acl.js";

describe("server ACL matching (m.room.server_acl)", () => {
  it("allows every server when the room has no ACL", () => {
    expect(serverAllowedByAcl("anything.example", undefined)).toBe(true);
  });

  it("denies every server when the ACL has no allow list, or an empty one", () => {
    expect(serverAllowedByAcl("good.example", {})).toBe(false);
    expect(serverAllowedByAcl("good.example", { allow: [] })).toBe(false);
    expect(serverAllowedByAcl("good.example", { allow: "*" })).toBe(false);
  });

  it("a deny match wins over an allow match", () => {
    const acl = compileServerAcl({ allow: ["*"], deny: ["evil.example", "*.evil.example"] });
    expect(acl.allows("evil.example")).toBe(false);
    expect(acl.allows("sub.evil.example")).toBe(false);
    expect(acl.allows("good.example")).toBe(true);
    expect(acl.allows("notevil.example")).toBe(true);
  });

  it("ignores the port of the server name", () => {
    const acl = compileServerAcl({ allow: ["*"], deny: ["evil.com"] });
    for (const name of ["evil.com", "evil.com:8448", "evil.com:1234"]) expect(acl.allows(name)).toBe(false);
    expect(compileServerAcl({ allow: ["good.com"] }).allows("good.com:8448")).toBe(true);
  });

  it("matches `*` to any run of characters and `?` to exactly one, anchored at both ends", () => {
    const acl = compileServerAcl({ allow: ["matrix?.org", "*.example.com"] });
    expect(acl.allows("matrix1.org")).toBe(true);
    expect(acl.allows("matrix.org")).toBe(false);
    expect(acl.allows("matrix12.org")).toBe(false);
    expect(acl.allows("a.b.example.com")).toBe(true);
    expect(acl.allows("example.com")).toBe(false);
    expect(acl.allows("example.com.evil")).toBe(false);
  });

  it("treats regular-expression characters in patterns literally", () => {
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("a+b").test("a+b")).toBe(true);
    expect(globToRegExp("[x]").test("[x]")).toBe(true);
  });

  it("compares host names case-insensitively", () => {
    expect(compileServerAcl({ allow: ["*"], deny: ["Evil.Example"] }).allows("EVIL.example")).toBe(false);
  });

  it("denies IPv4 and IPv6 literals when allow_ip_literals is false, and only then", () => {
    const strict = compileServerAcl({ allow: ["*"], allow_ip_literals: false });
    expect(strict.allows("1.2.3.4")).toBe(false);
    expect(strict.allows("1.2.3.4:8448")).toBe(false);
    expect(strict.allows("[::1]")).toBe(false);
    expect(strict.allows("[2001:db8::1]:8448")).toBe(false);
    expect(strict.allows("host.example")).toBe(true);
    const lenient = compileServerAcl({ allow: ["*"] });
    expect(lenient.allows("1.2.3.4")).toBe(true);
    expect(compileServerAcl({ allow: ["*"], allow_ip_literals: "no" }).allows("1.2.3.4")).toBe(true);
  });

  it("ignores entries that are not strings", () => {
    const acl = compileServerAcl({ allow: [1, null, "ok.example"], deny: [{}, "bad.example"] });
    expect(acl.allows("ok.example")).toBe(true);
    expect(acl.allows("bad.example")).toBe(false);
  });

  it("splits host and port, keeping IPv6 brackets", () => {
    expect(hostOf("example.org")).toBe("example.org");
    expect(hostOf("example.org:8448")).toBe("example.org");
    expect(hostOf("[::1]:8448")).toBe("[::1]");
    expect(hostOf("[::1]")).toBe("[::1]");
    expect(isIpLiteral("127.0.0.1")).toBe(true);
    expect(isIpLiteral("[::1]")).toBe(true);
    expect(isIpLiteral("1.2.3.4.example")).toBe(false);
  });
});
