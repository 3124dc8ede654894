import { describe, expect, it } from "vitest";
import { stateKeyOf, type IdentifiedPdu } from "../events/pdu.js";
import { resolveState } from "./index.js";
import type { StateMap } from "./types.js";
import {
  VECTOR_CASES,
  loadPdus,
  loadSnapshot,
  loadStateMapIds,
  requireVectorsDir,
  resolveBatches,
  resolvePduByPdu,
  roomVersionOf,
  sourceOf,
  stateMapsOf,
  toEntries,
  type VectorCase,
} from "./testing/vectors.js";

/** mulberry32: a tiny seeded PRNG, so a failing shuffle can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** The inputs of one resolution, so the property test can permute them. */
function resolutionInputs(testCase: VectorCase): { pdus: IdentifiedPdu[]; stateSets: StateMap[] } {
  if (testCase.kind === "state-maps") {
    const pdus = loadPdus(testCase.pdus);
    return { pdus, stateSets: stateMapsOf(testCase.stateMaps.map(loadStateMapIds), sourceOf(pdus)) };
  }
  // "All at once": one single-entry state map per PDU.
  const pdus = testCase.files.flatMap(loadPdus);
  return { pdus, stateSets: pdus.map((p) => new Map([[stateKeyOf(p.type, p.state_key!), p.event_id]])) };
}

describe("state resolution vectors (ruma)", () => {
  it("finds the shared test vectors (a missing folder is a failure, not a skip)", () => {
    expect(() => requireVectorsDir()).not.toThrow();
  });

  it("covers all 13 cases of the README", () => {
    expect(VECTOR_CASES).toHaveLength(13);
  });

  for (const testCase of VECTOR_CASES) {
    if (testCase.kind === "batches") {
      it(`${testCase.name}: PDU by PDU, batch by batch and all at once agree with the snapshot`, () => {
        const batches = testCase.files.map(loadPdus);
        const all = batches.flat();
        const version = roomVersionOf(all);
        const events = sourceOf(all);
        const expected = loadSnapshot(testCase.name);

        const pduByPdu = toEntries(resolvePduByPdu(version, all, events), events);
        const batched = resolveBatches(version, batches);
        const atOnce = resolveBatches(version, [all]);

        expect(pduByPdu, "PDU by PDU").toEqual(expected);
        expect(toEntries(batched.state, batched.events), "batch by batch").toEqual(expected);
        expect(toEntries(atOnce.state, atOnce.events), "all at once").toEqual(expected);
      });
    } else {
      it(`${testCase.name}: resolving the state maps matches the snapshot`, () => {
        const pdus = loadPdus(testCase.pdus);
        const version = roomVersionOf(pdus);
        const events = sourceOf(pdus);
        const stateSets = stateMapsOf(testCase.stateMaps.map(loadStateMapIds), events);
        expect(toEntries(resolveState(version, stateSets, events), events)).toEqual(loadSnapshot(testCase.name));
      });
    }
  }
});

describe("state resolution is independent of input order", () => {
  for (const testCase of VECTOR_CASES) {
    it(`${testCase.name}: shuffling the state sets and the event store gives the same state`, () => {
      const { pdus, stateSets } = resolutionInputs(testCase);
      const version = roomVersionOf(pdus);
      const reference = toEntries(resolveState(version, stateSets, sourceOf(pdus)), sourceOf(pdus));
      for (let seed = 1; seed <= 25; seed++) {
        const random = prng(seed * 7919 + testCase.name.length);
        const events = sourceOf(shuffled(pdus, random));
        // Also rebuild each map in a shuffled insertion order: Map iteration order must not leak.
        const sets = shuffled(stateSets, random).map((s) => new Map(shuffled([...s], random)));
        const result = toEntries(resolveState(version, sets, events), events);
        expect(result, `seed ${seed}`).toEqual(reference);
      }
    });
  }
});
