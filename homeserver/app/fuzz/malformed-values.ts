import { MAX_JSON_DEPTH } from "../../json-limits.js";

/** A value with a name for the report. */
export interface Named<T> {
  label: string;
  value: T;
}

const named = <T>(label: string, value: T): Named<T> => ({ label, value });

/** JSON text inserted as is: numbers JSON.stringify cannot write (1e400, integers beyond 2^53). */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) becomes the bytes WTF-8 gives it:
 * what a sloppy client would send, and not valid UTF-8.
 */
export function encodePathSegment(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(char);
  }
  return out;
}

/** JSON text of a value that may hold RawJson parts. Bodies here nest a few levels, so recursion is fine. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Ids and names that are wrong in every way we know of: empty, U+0000, huge, sigils alone, server names that
 * are not server names, lone surrogates, control characters. Used decoded in bodies, URL-encoded in paths.
 */
export const BAD_IDS: Array<Named<string>> = [
  named("empty", ""),
  named("U+0000", "\u0000"),
  named("U+0000 inside an id", "!a\u0000b:test.local"),
  named("10,000 characters", "a".repeat(10_000)),
  named("1,000-character id", `!${"a".repeat(990)}:test.local`),
  named("port out of range", "!x:localhost:99999"),
  named("port not a number", "@x:localhost:http"),
  named("sigil @ alone", "@"),
  named("sigil # alone", "#"),
  named("sigil ! alone", "!"),
  named("sigil $ alone", "$"),
  named("no server part", "@alice"),
  named("empty server part", "@alice:"),
  named("empty localpart", "@:test.local"),
  named("unclosed IPv6 literal", "@a:[::1"),
  named("bad IPv6 literal", "!r:[zz::1]:8448"),
  named("server name with underscore", "#a:bad_name.example"),
  named("server name of 300 characters", `@a:${"a".repeat(300)}.example`),
  named("spaces", " @a b:test.local "),
  named("unicode", "!ü😀:tést.local"),
  named("lone surrogate", "@\ud800:test.local"),
  named("control characters", "$a\u0001\u001f\u007f:test.local"),
  named("byte order mark", "\ufeff@a:test.local"),
  named("slash", "@a/b:test.local"),
  named("dot dot", ".."),
  named("wrong sigil", "#alias:test.local"),
  named("JSON text", '{"a":1}'),
  named("number text", "12345"),
  named("integer beyond int8", "99999999999999999999"),
  named("negative number", "-1"),
];

/** Path segments that only make sense raw in a URL: percent-encoding that does not decode. */
export const RAW_PATH_SEGMENTS: Array<Named<string>> = [
  named("invalid UTF-8 %C3%28", "%C3%28"),
  named("truncated UTF-8 %E2%82", "%E2%82"),
  named("encoded lone surrogate %ED%A0%80", "%ED%A0%80"),
  named("bad escape %ZZ", "%ZZ"),
  named("lone %", "%"),
  named("raw U+0000 escape %00", "%00"),
  named("encoded slash %2F", "a%2Fb"),
];

/** Query values (raw URL text) of every wrong type. */
export const BAD_QUERY_VALUES: Array<Named<string>> = [
  named("empty", ""),
  named("text", "abc"),
  named("negative", "-1"),
  named("fraction", "1.5"),
  named("exponent overflow", "1e400"),
  named("integer beyond 2^64", "99999999999999999999"),
  named("NaN", "NaN"),
  named("true", "true"),
  named("null", "null"),
  named("U+0000", "%00"),
  named("invalid UTF-8", "%C3%28"),
  named("bad escape", "%ZZ"),
  named("10,000 characters", "a".repeat(10_000)),
  named("truncated JSON", encodeURIComponent('{"limit":')),
  named("JSON of wrong types", encodeURIComponent('{"limit":"x","room":{"timeline":{"limit":[]}},"types":7}')),
  named("JSON array", encodeURIComponent("[1,2]")),
  named("deeply nested JSON", encodeURIComponent(`${"[".repeat(200)}${"]".repeat(200)}`)),
  named("nested 10,000 JSON arrays", encodeURIComponent(`${"[".repeat(10_000)}${"]".repeat(10_000)}`)),
  named("filter of wrong types", encodeURIComponent('{"room":{"rooms":"x","timeline":{"limit":-1,"types":[1]},"state":{"lazy_load_members":"yes"}},"event_fields":[1],"presence":[]}')),
  named("filter with U+0000", encodeURIComponent('{"room":{"timeline":{"types":["\\u0000"]}}}')),
  named("sync token shape", "s1_2_3_4_5_6"),
  named("sync token beyond int8", "s99999999999999999999_1_1_1_1_1"),
  named("negative sync token", "s-1_-1"),
  named("pagination token of another server's shape", "t1-2_3"),
  named("pagination token beyond int8", "t99999999999999999999"),
  named("negative pagination token beyond int8", "t-99999999999999999999"),
  named("bad id", encodeURIComponent("!x:localhost:99999")),
  named("unicode", encodeURIComponent("ü😀")),
];

/** Query parameter names handlers read, tried on every route whether or not its schema names them. */
export const COMMON_QUERY_NAMES = [
  "access_token", "filter", "from", "to", "since", "timeout", "limit", "dir", "full_state", "set_presence",
  "server_name", "via", "ver", "event_id", "at", "membership", "not_membership", "minimum_valid_until_ts",
  "kind", "user_id", "room_alias", "field", "include_all_networks", "third_party_instance_id", "server",
];

/** Values of the wrong JSON type for a field, whatever type it should have. */
export const WRONG_TYPED_VALUES: Array<Named<unknown>> = [
  named("null", null),
  named("true", true),
  named("0", 0),
  named("-1", -1),
  named("1.5", 1.5),
  named("2^53 + 1", new RawJson("9007199254740993")),
  named("-2^63", new RawJson("-9223372036854775808")),
  named("10^20, an integer beyond int8", new RawJson("100000000000000000000")),
  named("1e400", new RawJson("1e400")),
  named("-0", new RawJson("-0")),
  named("empty string", ""),
  named("string", "x"),
  named("10,000-character string", "x".repeat(10_000)),
  named("lone surrogate", "\ud800"),
  named("empty array", []),
  named("array of mixed types", [null, 1, "a", {}, []]),
  named("empty object", {}),
  named("object of objects", { a: { b: { c: {} } } }),
  named("bad id", "!x:localhost:99999"),
  named("id with no server", "@alice"),
];

/** JSON text of `levels` nested arrays or objects, built as text: JSON.stringify would recurse. */
export const nestedJson = (levels: number, kind: "array" | "object") =>
  kind === "array" ? `${"[".repeat(levels)}${"]".repeat(levels)}` : `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`;

const INVALID_UTF8 = Buffer.concat([Buffer.from('{"body":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);

/** Bodies that are not a JSON object, or are one the server cannot keep. */
export function malformedBodies(maxBodyBytes: number): Array<Named<string | Buffer | undefined>> {
  const padTo = (bytes: number) => `{"a":"${"x".repeat(Math.max(0, bytes - 8))}"}`;
  return [
    named("no body", undefined),
    named("empty", ""),
    named("whitespace", " \n\t "),
    named("not JSON", "not json"),
    named("truncated JSON", '{"a":'),
    named("invalid UTF-8", INVALID_UTF8),
    named("byte order mark", "\ufeff{}"),
    named("JSON array", "[]"),
    named("JSON string", '"x"'),
    named("JSON number", "1"),
    named("JSON null", "null"),
    named("JSON true", "true"),
    named("U+0000 in a value", '{"a":"\\u0000"}'),
    named("U+0000 in a key", '{"\\u0000":1}'),
    named("escaped lone surrogate", '{"body":"\\ud800","msgtype":"m.text"}'),
    named("lone surrogate key", '{"\\udfff":{}}'),
    named("duplicate keys", '{"a":1,"a":{"b":2}}'),
    named("__proto__ key", '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}'),
    named("number overflow", '{"a":1e400,"b":-1e400}'),
    named(`nested ${MAX_JSON_DEPTH + 1} objects`, nestedJson(MAX_JSON_DEPTH + 1, "object")),
    named("nested 100 objects", nestedJson(100, "object")),
    named("nested 100 arrays", `{"a":${nestedJson(100, "array")}}`),
    named("nested 10,000 arrays", nestedJson(10_000, "array")),
    named("nested 10,000 objects", nestedJson(10_000, "object")),
    named("10,000 keys", `{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`),
    named("just under the body limit", padTo(maxBodyBytes - 64)),
    named("just over the body limit", padTo(maxBodyBytes + 64)),
  ];
}

/** Content-Type headers a client might send with a JSON body, or with something that is not one. */
export function oddContentTypes(jsonBody: string): Array<Named<{ contentType: string | null; payload: string }>> {
  return [
    named("text/plain", { contentType: "text/plain", payload: jsonBody }),
    named("no Content-Type", { contentType: null, payload: jsonBody }),
    named("application/json; charset=utf-16", { contentType: "application/json; charset=utf-16", payload: jsonBody }),
    named("application/x-www-form-urlencoded", { contentType: "application/x-www-form-urlencoded", payload: "a=b&c=%00&d[]=1" }),
    named("multipart/form-data", {
      contentType: "multipart/form-data; boundary=fuzz",
      payload: `--fuzz\r\nContent-Disposition: form-data; name="a"\r\n\r\n${jsonBody}\r\n--fuzz--\r\n`,
    }),
    named("application/octet-stream", { contentType: "application/octet-stream", payload: "\u0001\u0002binary" }),
    named("a Content-Type that is not one", { contentType: ";;;", payload: jsonBody }),
  ];
}
