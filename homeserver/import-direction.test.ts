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

describe("import direction", () => {
  it("follows ARCHITECTURE.md: schemas <- homeserver <- client-api / federation, conformance over HTTP only", () => {
    expect(violations()).toEqual([]);
  });
});
