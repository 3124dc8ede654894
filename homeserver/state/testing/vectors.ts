/**
 * Loader and replay harness for the ruma state resolution vectors in
 * ../shared/test-vectors/ruma-state-res (see its README): batch cases replayed three ways, and
 * state-map cases resolved directly.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stateKeyOf, type IdentifiedPdu } from "../../events/pdu.js";
import { getRoomVersion, type RoomVersion } from "../../events/room-versions.js";
import { resolveState } from "../index.js";
import { passesIterativeAuth } from "../iterative-auth.js";
import type { EventSource, StateMap } from "../types.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const vectorsDir = path.resolve(repoRoot, "../shared/test-vectors/ruma-state-res");

export function requireVectorsDir(): string {
  if (!existsSync(path.join(vectorsDir, "fixtures")) || !existsSync(path.join(vectorsDir, "snapshots"))) {
    throw new Error(
      `State resolution test vectors are missing: expected fixtures/ and snapshots/ under ${vectorsDir} ` +
        `(the repository's sibling folder shared/test-vectors/ruma-state-res). They are required, not optional.`,
    );
  }
  return vectorsDir;
}

export type VectorCase =
  | { name: string; kind: "batches"; files: string[] }
  | { name: string; kind: "state-maps"; stateMaps: string[]; pdus: string };

/** The 13 cases of the README's two tables. */
export const VECTOR_CASES: VectorCase[] = [
  { name: "minimal_private_chat", kind: "batches", files: ["bootstrap-private-chat"] },
  { name: "minimal_public_chat", kind: "batches", files: ["bootstrap-public-chat"] },
  { name: "origin_server_ts_tiebreak", kind: "batches", files: ["bootstrap-private-chat", "origin-server-ts-tiebreak"] },
  { name: "ban_vs_power_levels", kind: "batches", files: ["bootstrap-public-chat", "ban-vs-power-levels-alice", "ban-vs-power-levels-bob"] },
  { name: "topic_vs_power_levels", kind: "batches", files: ["bootstrap-public-chat", "topic-vs-power-levels-alice", "topic-vs-power-levels-bob"] },
  { name: "power_levels_admin_vs_mod", kind: "batches", files: ["bootstrap-public-chat", "power-levels-admin-vs-mod-alice", "power-levels-admin-vs-mod-bob"] },
  { name: "topic_vs_ban", kind: "batches", files: ["bootstrap-public-chat", "topic-vs-ban-common", "topic-vs-ban-alice", "topic-vs-ban-bob"] },
  { name: "join_rules_vs_join", kind: "batches", files: ["bootstrap-public-chat", "join-rules-vs-join-common", "join-rules-vs-join-alice", "join-rules-vs-join-ella"] },
  { name: "concurrent_joins", kind: "batches", files: ["bootstrap-public-chat", "concurrent-joins-charlie", "concurrent-joins-ella"] },
  { name: "msc4297_problem_a_state_res_v2_0", kind: "state-maps", stateMaps: ["MSC4297-problem-A/state-bob", "MSC4297-problem-A/state-charlie"], pdus: "MSC4297-problem-A/pdus-v11" },
  { name: "msc4297_problem_a_state_res_v2_1", kind: "state-maps", stateMaps: ["MSC4297-problem-A/state-bob", "MSC4297-problem-A/state-charlie"], pdus: "MSC4297-problem-A/pdus-v12" },
  { name: "msc4297_problem_b_state_res_v2_0", kind: "state-maps", stateMaps: ["MSC4297-problem-B/state-eve", "MSC4297-problem-B/state-zara"], pdus: "MSC4297-problem-B/pdus-v11" },
  { name: "msc4297_problem_b_state_res_v2_1", kind: "state-maps", stateMaps: ["MSC4297-problem-B/state-eve", "MSC4297-problem-B/state-zara"], pdus: "MSC4297-problem-B/pdus-v12" },
];

const readJson = (relative: string): unknown =>
  JSON.parse(readFileSync(path.join(requireVectorsDir(), "fixtures", `${relative}.json`), "utf8"));

export function loadPdus(relative: string): IdentifiedPdu[] {
  // The fixtures omit `depth` (only state res v1 reads it); the ids are readable names, not hashes.
  return (readJson(relative) as object[]).map((pdu) => ({ depth: 0, ...pdu }) as IdentifiedPdu);
}

export function loadStateMapIds(relative: string): string[] {
  return readJson(relative) as string[];
}

export interface ResolvedEntry {
  type: string;
  state_key: string;
  event_id: string;
  content: unknown;
}

/** The expected state: the JSON array after the snapshot's `---` header. */
export function loadSnapshot(name: string): ResolvedEntry[] {
  const text = readFileSync(path.join(requireVectorsDir(), "snapshots", `${name}@resolved_state.snap`), "utf8");
  const body = text.split(/^---$/m).slice(2).join("---");
  return sortEntries(JSON.parse(body) as ResolvedEntry[]);
}

function sortEntries(entries: ResolvedEntry[]): ResolvedEntry[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort((a, b) => cmp(a.type, b.type) || cmp(a.state_key, b.state_key));
}

export function toEntries(state: StateMap, events: EventSource): ResolvedEntry[] {
  const entries: ResolvedEntry[] = [];
  for (const id of state.values()) {
    const event = events.get(id);
    if (!event || event.state_key === undefined) throw new Error(`resolved state names unknown event ${id}`);
    entries.push({ type: event.type, state_key: event.state_key, event_id: id, content: event.content });
  }
  return sortEntries(entries);
}

export function sourceOf(pdus: Iterable<IdentifiedPdu>): EventSource & { map: Map<string, IdentifiedPdu> } {
  const map = new Map<string, IdentifiedPdu>();
  for (const pdu of pdus) map.set(pdu.event_id, pdu);
  return { map, get: (id) => map.get(id) };
}

export function roomVersionOf(pdus: IdentifiedPdu[]): RoomVersion {
  const create = pdus[0];
  if (create?.type !== "m.room.create") throw new Error("the first PDU must be the m.room.create event");
  const id = String(create.content.room_version ?? "1");
  const version = getRoomVersion(id);
  if (!version) throw new Error(`unsupported room version ${id}`);
  return version;
}

const keyOf = (pdu: IdentifiedPdu) => stateKeyOf(pdu.type, pdu.state_key!);

/**
 * PDU by PDU: the state before each PDU is the resolution of the states after its prev_events; the
 * PDU joins the state if it passes auth against that state (with its own auth events as fallback).
 * Returns the resolution of the states at the forward extremities.
 */
export function resolvePduByPdu(version: RoomVersion, pdus: IdentifiedPdu[], events: EventSource): StateMap {
  const after = new Map<string, StateMap>();
  const cited = new Set<string>();
  for (const pdu of pdus) for (const prev of pdu.prev_events) cited.add(typeof prev === "string" ? prev : prev[0]);
  // Kahn over prev_events, so the order of the input does not matter.
  const waiting = [...pdus];
  while (waiting.length > 0) {
    const index = waiting.findIndex((p) => p.prev_events.every((prev) => after.has(typeof prev === "string" ? prev : prev[0])));
    if (index < 0) throw new Error("a PDU's prev_events point at an unknown PDU");
    const [pdu] = waiting.splice(index, 1);
    const before = resolveState(
      version,
      pdu.prev_events.map((prev) => after.get(typeof prev === "string" ? prev : prev[0])!),
      events,
    );
    const state = new Map(before);
    if (passesIterativeAuth(pdu, before, version, events)) state.set(keyOf(pdu), pdu.event_id);
    after.set(pdu.event_id, state);
  }
  const extremities = pdus.filter((p) => !cited.has(p.event_id)).map((p) => after.get(p.event_id)!);
  return resolveState(version, extremities, events);
}

/**
 * Batch by batch (all at once is one batch): the previous result plus one single-entry state map
 * per PDU of the batch, as ruma's harness does, since a batch carries no grouping of its own.
 */
export function resolveBatches(version: RoomVersion, batches: IdentifiedPdu[][]): { state: StateMap; events: EventSource } {
  const known = new Map<string, IdentifiedPdu>();
  const events: EventSource = { get: (id) => known.get(id) };
  let state: StateMap | undefined;
  for (const batch of batches) {
    for (const pdu of batch) known.set(pdu.event_id, pdu);
    const stateSets: StateMap[] = state ? [state] : [];
    for (const pdu of batch) stateSets.push(new Map([[keyOf(pdu), pdu.event_id]]));
    state = resolveState(version, stateSets, events);
  }
  return { state: state ?? new Map(), events };
}

/** A state-map case: each file lists event ids; the map key comes from the PDU. */
export function stateMapsOf(idLists: string[][], events: EventSource): StateMap[] {
  return idLists.map((ids) => {
    const map: StateMap = new Map();
    for (const id of ids) {
      const pdu = events.get(id);
      if (!pdu) throw new Error(`state map names ${id}, which is not among the PDUs`);
      map.set(keyOf(pdu), id);
    }
    return map;
  });
}
