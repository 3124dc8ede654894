import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Which top-level folders each folder may import from (ARCHITECTURE.md, "Folders"). */
const ALLOWED: Record<string, string[]> = {
  schemas: ["schemas"],
  homeserver: ["homeserver", "schemas"],
  "client-api": ["client-api", "homeserver", "schemas"],
  federation: ["federation", "homeserver", "schemas"],
  conformance: ["conformance", "schemas"],
};

// homeserver/app/ is the composition root: it alone mounts the HTTP layers on the core.
const COMPOSITION_ROOT = "homeserver/app/";

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

function violations(): string[] {
  const found: string[] = [];
  for (const folder of Object.keys(ALLOWED)) {
    let files: string[] = [];
    try {
      files = sourceFiles(join(root, folder));
    } catch {
      continue;
    }
    for (const file of files) {
      const rel = relative(root, file);
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        const target = relative(root, resolve(dirname(file), match[1]));
        const top = target.split("/")[0];
        if (!(top in ALLOWED)) continue;
        if (ALLOWED[folder].includes(top)) {
          // client-api and federation never reach into storage directly.
          if ((folder === "client-api" || folder === "federation") && target.startsWith("homeserver/storage/")) {
            found.push(`${rel} -> ${target}`);
          }
          continue;
        }
        if (rel.startsWith(COMPOSITION_ROOT) && (top === "client-api" || top === "federation")) continue;
        found.push(`${rel} -> ${target}`);
      }
    }
  }
  return found;
}

/**
 * The floors of the house, lowest first (ARCHITECTURE.md's picture, and app/ on top as the composition root).
 * Code may import from its own district and from lower floors only; client-api and federation share a floor
 * and never import each other. Tests and test support (`*.test.ts`, `testing/`, `*-test-support.ts`, the fuzz
 * suite) may reach anything: they assemble whole servers.
 */
const FLOORS: string[][] = [
  ["schemas"],
  ["homeserver/(root)"],
  ["homeserver/crypto"],
  ["homeserver/events"],
  ["homeserver/state"],
  ["homeserver/storage"],
  ["homeserver/streams"],
  ["homeserver/core"],
  // A separate program (`myelin push-gateway`): core's logger, config helpers and guarded HTTP, nothing above.
  ["homeserver/push-gateway"],
  ["homeserver/federation-keys"],
  ["homeserver/users"],
  ["homeserver/rooms"],
  ["homeserver/edus"],
  ["homeserver/sync"],
  ["homeserver/push"],
  // The media repository needs only storage and the core; the HTTP layers reach it through their services.
  ["homeserver/media"],
  ["client-api", "federation"],
  ["homeserver/app"],
];

function districtOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] !== "homeserver") return parts[0];
  return parts.length > 2 ? `homeserver/${parts[1]}` : "homeserver/(root)";
}

const isTestCode = (path: string) => /\.test\.ts$|-test-support\.ts$/.test(path) || /(^|\/)(testing|fuzz)\//.test(path);

/** Every relative import of the production code, as [file, imported file] with paths from the root. */
function productionImports(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const folder of ["schemas", "homeserver", "client-api", "federation"]) {
    for (const file of sourceFiles(join(root, folder))) {
      const rel = relative(root, file);
      if (isTestCode(rel)) continue;
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        found.push([rel, relative(root, resolve(dirname(file), match[1])).replace(/\.js$/, ".ts")]);
      }
    }
  }
  return found;
}

function againstTheFloors(): string[] {
  const floorOf = new Map(FLOORS.flatMap((districts, floor) => districts.map((d) => [d, floor] as const)));
  const found: string[] = [];
  for (const [from, to] of productionImports()) {
    const [a, b] = [districtOf(from), districtOf(to)];
    if (a === b || isTestCode(to)) continue;
    const [fa, fb] = [floorOf.get(a), floorOf.get(b)];
    if (fa === undefined || fb === undefined) found.push(`${from} -> ${to} (${fa === undefined ? a : b} has no floor)`);
    else if (fb >= fa) found.push(`${from} -> ${to}`);
  }
  return found;
}

/** Import circles between production files (Tarjan's strongly connected components). */
function importCircles(): string[][] {
  const graph = new Map<string, string[]>();
  for (const [from, to] of productionImports()) graph.set(from, [...(graph.get(from) ?? []), to]);
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

describe("import direction", () => {
  it("every arrow between districts points down the floors, never up or sideways", () => {
    expect(againstTheFloors()).toEqual([]);
  });

  it("has no import circles", () => {
    expect(importCircles()).toEqual([]);
  });

  it("follows ARCHITECTURE.md: schemas <- homeserver <- client-api / federation, conformance over HTTP only", () => {
    expect(violations()).toEqual([]);
  });
});
