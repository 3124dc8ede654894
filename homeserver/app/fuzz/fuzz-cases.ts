import type { FuzzRoute } from "./route-catalogue.js";
import { accountDataShapes, eventContentShapes, knownBodyShape, realValueFor, type FuzzTargets, type PeerEventDraft, type SignedPeerEvent } from "./fuzz-targets.js";
import { peerEventCases } from "./peer-event-cases.js";
import {
  BAD_IDS,
  BAD_QUERY_VALUES,
  COMMON_QUERY_NAMES,
  RAW_PATH_SEGMENTS,
  WRONG_TYPED_VALUES,
  encodePathSegment,
  malformedBodies,
  oddContentTypes,
  toJsonText,
} from "./malformed-values.js";
import { exampleFor, fieldPaths, leafName, withField } from "./schema-values.js";
import { sampleAcrossCategories, SeededRandom } from "./seeded-random.js";

/** How a request authenticates: as the fuzz user, as the signing peer, or with a broken credential. */
export type FuzzAuth =
  | { kind: "user" }
  | { kind: "none" }
  | { kind: "header"; value: string }
  | { kind: "signed" }
  | { kind: "x-matrix"; origin: string; key?: string; sig?: string; destination?: string };

export interface FuzzRequest {
  /** What is malformed, for the report. */
  label: string;
  /** URL text of each path parameter (already encoded, or deliberately not). */
  params: Record<string, string>;
  /** Raw query string, without `?`. */
  query: string;
  body?: { payload: string | Buffer; contentType: string | null };
  auth: FuzzAuth;
}

export interface CaseOptions {
  targets: FuzzTargets;
  maxBodyBytes: number;
  /** Cases for an endpoint's first route; its copies (HEAD, r0) get COPY_BUDGET. */
  budget: number;
  seed: string;
  /** Signs an event as the peer, for the federation routes that take events. */
  signPeerEvent: (draft: PeerEventDraft) => SignedPeerEvent;
}

const COPY_BUDGET = 3;
const enc = encodePathSegment;
const BODY_METHODS = new Set(["PUT", "POST", "DELETE", "PATCH"]);

let txnCounter = 0;
/** Transaction ids are fresh for each request, so that no answer is a replay of an earlier one. */
const freshTxnId = () => `fuzz-${process.pid}-${++txnCounter}`;

export const isFederationRoute = (url: string) => url.startsWith("/_matrix/federation/") || url.startsWith("/_matrix/key/");

/** A bounded, seeded set of malformed requests for `route`, spread over every kind of malformation. */
export function casesFor(route: FuzzRoute, options: CaseOptions): FuzzRequest[] {
  const t = options.targets;
  const federation = isFederationRoute(route.url);
  const hasBody = BODY_METHODS.has(route.method);
  const defaultAuth: FuzzAuth = federation ? { kind: "signed" } : { kind: "user" };
  const validParams = (overrides: Record<string, string> = {}): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const name of route.params) out[name] = name in overrides ? overrides[name] : enc(validParam(route, name, t, federation));
    return out;
  };
  const baseBody = hasBody ? baseBodyFor(route, t, federation) : undefined;
  const baseBodyText = baseBody === undefined ? undefined : toJsonText(baseBody);
  const baseQuery = baseQueryFor(route, t, federation);
  /** The base query with some names' `name=value` text replaced, or left out. */
  const query = (replaced: Record<string, string> = {}, omitted?: string) =>
    Object.entries({ ...baseQuery, ...replaced })
      .filter(([name]) => name !== omitted)
      .map(([, text]) => text)
      .join("&");
  const json = (payload: string) => ({ payload, contentType: "application/json" });
  // Cases are built only once sampled: the candidates run to thousands, many with 10,000-character values.
  const request =
    (label: string, parts: () => Partial<FuzzRequest> = () => ({})): Case =>
    () => ({
      label,
      params: validParams(),
      query: query(),
      body: baseBodyText === undefined ? undefined : json(baseBodyText),
      auth: defaultAuth,
      ...parts(),
    });

  const pathCases = route.params.flatMap((name) =>
    [...BAD_IDS.map((bad) => ({ label: bad.label, raw: () => enc(bad.value) })), ...RAW_PATH_SEGMENTS.map((bad) => ({ label: bad.label, raw: () => bad.value }))].map((bad) =>
      request(`path ${name}: ${bad.label}`, () => ({ params: validParams({ [name]: bad.raw() }) })),
    ),
  );

  // The names a route declares get their own share of the budget; the common names catch handlers that read
  // parameters their schema does not declare.
  const declaredNames = Object.keys(schemaProperties(route.schema.querystring));
  const undeclaredNames = COMMON_QUERY_NAMES.filter((name) => !declaredNames.includes(name));
  const badQueries = (names: string[]) => [
    ...names.flatMap((name) => BAD_QUERY_VALUES.map((bad) => request(`query ${name}: ${bad.label}`, () => ({ query: query({ [name]: `${enc(name)}=${bad.value}` }) })))),
    ...names.map((name) => request(`query ${name}: repeated`, () => ({ query: query({ [name]: `${enc(name)}=1&${enc(name)}=abc&${enc(name)}=` }) }))),
  ];
  const declaredQueryCases = [...badQueries(declaredNames), ...Object.keys(baseQuery).map((name) => request(`query ${name}: missing`, () => ({ query: query({}, name) })))];
  const queryCases = [
    ...badQueries(undeclaredNames),
    request("query: name with U+0000", () => ({ query: `${query()}&a%00b=1` })),
    request("query: bad escape in a name", () => ({ query: `${query()}&%ZZ=1&%C3%28=2` })),
    request("query: 1,000 parameters", () => ({ query: Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join("&") })),
  ];

  const bodyCases = hasBody
    ? malformedBodiesOf(options.maxBodyBytes).map((bad) =>
        request(`body: ${bad.label}`, () => ({ body: bad.value === undefined ? undefined : { payload: bad.value, contentType: "application/json" } })),
      )
    : [];

  const contentTypeCases = hasBody
    ? oddContentTypes(baseBodyText ?? "{}").map((odd) => request(`content type: ${odd.label}`, () => ({ body: odd.value })))
    : [request("content type: a body on a request without one", () => ({ body: { payload: '{"a":1}', contentType: "text/plain" } }))];

  const fieldCases = hasBody ? fieldMutations(baseBody, route.schema.body).map(([label, body]) => request(label, () => ({ body: json(toJsonText(body())) }))) : [];

  const contentCases = hasBody
    ? typedContentCases(route, t).map(([label, params, body]) => request(label, () => ({ params: validParams(params), body: json(toJsonText(body())) })))
    : [];

  const authCases = (federation ? federationAuthCases(t) : clientAuthCases()).map(([label, auth, tokenQuery]) =>
    request(`auth: ${label}`, () => ({ auth, query: tokenQuery ? `${query()}&${tokenQuery}` : query() })),
  );

  const signedEventCases = hasBody
    ? peerEventCases(route.url, t, options.signPeerEvent).map(({ label, build }) =>
        request(label, () => {
          const { params, body } = build();
          return { params: validParams(params), body: json(toJsonText(body)) };
        }),
      )
    : [];

  const random = new SeededRandom(`${options.seed} ${route.method} ${route.url}`);
  const categories = [pathCases, declaredQueryCases, queryCases, bodyCases, contentTypeCases, fieldCases, contentCases, signedEventCases, authCases];
  return sampleAcrossCategories(categories, route.copyOf ? COPY_BUDGET : options.budget, random).map((build) => build());
}

type Case = () => FuzzRequest;

const malformedBodyCache = new Map<number, ReturnType<typeof malformedBodies>>();
/** The same for every route: built once (two of them are a megabyte). */
function malformedBodiesOf(maxBodyBytes: number): ReturnType<typeof malformedBodies> {
  if (!malformedBodyCache.has(maxBodyBytes)) malformedBodyCache.set(maxBodyBytes, malformedBodies(maxBodyBytes));
  return malformedBodyCache.get(maxBodyBytes)!;
}

function schemaProperties(schema: Record<string, unknown> | undefined): Record<string, Record<string, unknown>> {
  return (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
}

/** Valid ids for a path parameter; state and send routes get the event type their route serves best. */
function validParam(route: FuzzRoute, name: string, t: FuzzTargets, federation: boolean): string {
  if (name === "txnId") return freshTxnId();
  if (name === "eventType" && route.url.includes("/state/")) return "m.room.topic";
  if (name === "userId" && /\/(typing|presence|user|profile)\//.test(route.url)) return t.userId;
  return realValueFor(name, t, federation) ?? "x";
}

/** Query values that let a request through to the handler: what each name needs to be valid. */
function queryValueFor(name: string, t: FuzzTargets, federation: boolean): string | undefined {
  switch (name) {
    case "ver":
      return t.roomVersion;
    case "dir":
      return "b";
    case "event_id":
      return t.eventId;
    case "username":
      return "fuzzname";
    case "token":
      return "fuzztoken";
    case "field":
      return "displayname";
    case "user_id":
      // A peer asks about our users.
      return t.userId;
    case "room_alias":
      return t.alias;
    case "limit":
      return "5";
  }
  return realValueFor(name, t, federation);
}

/** The valid query of a route, as `name -> name=value` text, from its schema: required names and those we can fill. */
function baseQueryFor(route: FuzzRoute, t: FuzzTargets, federation: boolean): Record<string, string> {
  const schema = route.schema.querystring;
  const properties = schemaProperties(schema);
  const required = new Set((schema?.required ?? []) as string[]);
  const out: Record<string, string> = {};
  for (const [name, property] of Object.entries(properties)) {
    const value = queryValueFor(name, t, federation) ?? (required.has(name) ? String(exampleFor(property, name, () => undefined)) : undefined);
    if (value !== undefined) out[name] = `${enc(name)}=${enc(value)}`;
  }
  return out;
}

function baseBodyFor(route: FuzzRoute, t: FuzzTargets, federation: boolean): unknown {
  const fromSchema = exampleFor(route.schema.body, "", (name) => realValueFor(name, t, federation));
  const known = knownBodyShape(route.url, t);
  if (known === undefined) return fromSchema;
  const schemaPart = fromSchema !== null && typeof fromSchema === "object" && !Array.isArray(fromSchema) ? fromSchema : {};
  return { ...schemaPart, ...known };
}

/** One field at a time set to a value of the wrong type, and id fields set to ids that are not ids. */
function fieldMutations(base: unknown, schema?: Record<string, unknown>): Array<[string, () => unknown]> {
  const out: Array<[string, () => unknown]> = [];
  for (const path of fieldPaths(schema, base)) {
    const where = path.join(".");
    for (const wrong of WRONG_TYPED_VALUES) out.push([`field ${where}: ${wrong.label}`, () => withField(base, path, wrong.value)]);
    if (/id$|_id|alias|server|user|sender|origin|room|event/i.test(leafName(path))) {
      for (const bad of BAD_IDS) out.push([`field ${where}: ${bad.label}`, () => withField(base, path, bad.value)]);
    }
  }
  return out;
}

/**
 * Event content and account data of the types the server reads, each field mutated in turn, sent to the
 * real room as the type it belongs to: the way to reach auth rules, membership and redaction code.
 */
function typedContentCases(route: FuzzRoute, t: FuzzTargets): Array<[string, Record<string, string>, () => unknown]> {
  const out: Array<[string, Record<string, string>, () => unknown]> = [];
  const shapes = route.params.includes("eventType") ? eventContentShapes(t) : route.url.includes("account_data") ? accountDataShapes(t) : {};
  const typeParam = route.params.includes("eventType") ? "eventType" : "type";
  for (const [type, shape] of Object.entries(shapes)) {
    const params: Record<string, string> = { [typeParam]: enc(type) };
    if (route.params.includes("stateKey")) params.stateKey = enc(type === "m.room.member" ? t.userId : "");
    out.push([`${type}: as it should be`, params, () => shape]);
    for (const [label, body] of fieldMutations(shape)) out.push([`${type} ${label}`, params, body]);
  }
  return out;
}

function clientAuthCases(): Array<[string, FuzzAuth, string?]> {
  return [
    ["none", { kind: "none" }],
    ["unknown token", { kind: "header", value: "Bearer not-a-token" }],
    ["empty Bearer", { kind: "header", value: "Bearer " }],
    ["10,000-character token", { kind: "header", value: `Bearer ${"t".repeat(10_000)}` }],
    ["Basic scheme", { kind: "header", value: "Basic YTpi" }],
    ["X-Matrix on a client route", { kind: "header", value: 'X-Matrix origin="test.local",key="ed25519:a",sig="x"' }],
    ["access_token query: unknown", { kind: "none" }, "access_token=nope"],
    ["access_token query: U+0000", { kind: "none" }, "access_token=%00"],
    ["access_token query: repeated", { kind: "none" }, "access_token=a&access_token=b"],
    ["access_token query: invalid UTF-8", { kind: "none" }, "access_token=%C3%28"],
  ];
}

function federationAuthCases(t: FuzzTargets): Array<[string, FuzzAuth, string?]> {
  const xm = (origin: string, rest: Partial<{ key: string; sig: string; destination: string }> = {}): FuzzAuth => ({ kind: "x-matrix", origin, ...rest });
  return [
    ["unsigned", { kind: "none" }],
    ["Bearer token", { kind: "header", value: "Bearer x" }],
    ["X-Matrix with no parameters", { kind: "header", value: "X-Matrix" }],
    ["X-Matrix with unterminated quotes", { kind: "header", value: 'X-Matrix origin="a,key="b' }],
    ["origin empty", xm("")],
    ["origin with a port out of range", xm("localhost:99999")],
    ["origin an unclosed IPv6 literal", xm("[::1")],
    ["origin of 300 characters", xm(`${"a".repeat(300)}.example`)],
    ["origin with unicode", xm("ü😀.example")],
    ["origin that is us", xm(t.serverName)],
    ["origin unknown and unreachable", xm("127.0.0.2:1")],
    ["key id without algorithm", xm(t.peerName, { key: "fuzz" })],
    ["key id of another algorithm", xm(t.peerName, { key: "curve25519:fuzz" })],
    ["signature not base64", xm(t.peerName, { sig: "!!!" })],
    ["signature of 10,000 characters", xm(t.peerName, { sig: "A".repeat(10_000) })],
    ["destination another server", xm(t.peerName, { destination: "elsewhere.example" })],
    ["destination bad", xm(t.peerName, { destination: "[::1" })],
  ];
}
