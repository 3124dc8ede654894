import type { TestApp } from "../test-app.js";
import { casesFor, type FuzzRequest } from "./fuzz-cases.js";
import type { FuzzFixtures } from "./fuzz-fixtures.js";
import { sendFuzzRequest } from "./fuzz-request.js";
import { DatabaseFingerprints, fingerprintDifferences } from "./database-fingerprint.js";
import { answerProblem } from "./response-checks.js";
import { routeKey, type FuzzRoute } from "./route-catalogue.js";

export interface FuzzFinding {
  route: string;
  /** The route this one is a copy of (a HEAD, an r0 twin), or the route itself: what allow-lists name. */
  endpoint: string;
  /** `5xx`: a server error; `answer`: a 4xx that is not a proper Matrix error; `write`: a refused request wrote. */
  kind: "5xx" | "answer" | "write";
  problem: string;
  label: string;
  method: string;
  target: string;
  body: string;
  response: string;
}

export interface FuzzRun {
  findings: FuzzFinding[];
  requests: number;
  /** Status counts per route, to see which routes the cases reached past validation. */
  statuses: Map<string, Map<number, number>>;
  /** Milliseconds spent on each route, to keep the budget honest. */
  elapsedMs: Map<string, number>;
  fixtureRepairs: number;
}

export interface FuzzOptions {
  budget: number;
  seed: string;
  maxBodyBytes: number;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text);

function bodySummary(request: FuzzRequest): string {
  if (!request.body) return "(none)";
  const payload = request.body.payload;
  const text = typeof payload === "string" ? payload : `<${payload.length} bytes> ${payload.toString("latin1")}`;
  return `${request.body.contentType ?? "no Content-Type"}: ${clip(JSON.stringify(text), 160)}`;
}

/**
 * Sends every route its malformed requests one at a time and checks each answer, and that a refused request
 * left every table as it was. The database is fingerprinted only when a transaction that wrote has run (the
 * next transaction id moved), so most requests cost one cheap query on top.
 */
export async function fuzzRoutes(app: TestApp, routes: FuzzRoute[], fixtures: FuzzFixtures, options: FuzzOptions): Promise<FuzzRun> {
  const fingerprints = new DatabaseFingerprints(app.ctx.db);
  await fingerprints.load();
  const run: FuzzRun = { findings: [], requests: 0, statuses: new Map(), elapsedMs: new Map(), fixtureRepairs: 0 };
  let marker = await fingerprints.writeMarker();
  let fingerprint = await fingerprints.take();

  for (const route of routes) {
    const key = routeKey(route);
    const started = performance.now();
    const counts = new Map<number, number>();
    run.statuses.set(key, counts);
    const caseOptions = { budget: options.budget, seed: options.seed, maxBodyBytes: options.maxBodyBytes, signPeerEvent: fixtures.signPeerEvent };
    let cases = casesFor(route, { ...caseOptions, targets: fixtures.targets });
    for (let i = 0; i < cases.length; i++) {
      const request = cases[i];
      const sent = await sendFuzzRequest(app.http, route, request, fixtures);
      run.requests++;
      const finding = (kind: FuzzFinding["kind"], problem: string, response: string) =>
        run.findings.push({ route: key, endpoint: route.copyOf ?? key, kind, problem, label: request.label, method: sent.method, target: clip(sent.target, 200), body: bodySummary(request), response: clip(response, 300) });
      const status = sent.response?.statusCode ?? 0;
      counts.set(status, (counts.get(status) ?? 0) + 1);
      if (!sent.response) {
        finding("5xx", sent.transportError!, "");
      } else {
        const problem = answerProblem(sent.method, sent.response);
        if (problem) finding(status >= 500 ? "5xx" : "answer", problem, sent.response.body);
      }
      const refused = status >= 400;
      const markerNow = await fingerprints.writeMarker();
      if (markerNow === marker) continue;
      const now = await fingerprints.take();
      const changes = fingerprintDifferences(fingerprint, now);
      marker = markerNow;
      fingerprint = now;
      if (refused && changes.length > 0) {
        finding("write", `refused with ${status} but wrote: ${changes.map((c) => `${c.table} ${c.change}`).join(", ")}`, sent.response?.body ?? "");
      }
      // An accepted request may have broken the fixtures (logged out, left the room): later cases need them.
      if (!refused && changes.some((c) => FIXTURE_TABLES.has(c.table))) {
        if (await fixtures.ensureUsable()) {
          run.fixtureRepairs++;
          cases = casesFor(route, { ...caseOptions, targets: fixtures.targets });
        }
        marker = await fingerprints.writeMarker();
        fingerprint = await fingerprints.take();
      }
    }
    run.elapsedMs.set(key, performance.now() - started);
  }
  return run;
}

/** The tables a request must change to break the fixtures: tokens, accounts, room state, aliases. */
const FIXTURE_TABLES = new Set(["users", "access_tokens", "devices", "current_state", "room_aliases"]);

export function formatFinding(f: FuzzFinding): string {
  return `${f.problem} | ${f.method} ${f.target} | case: ${f.label} | body: ${f.body} | answer: ${f.response}`;
}
