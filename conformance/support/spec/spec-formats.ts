import type { Ajv2020 } from "ajv/dist/2020.js";

type StringCheck = (value: string) => boolean;

/**
 * The spec's own string formats, checked loosely: the grammar is only what every version of the identifier has
 * in common (room IDs in room version 12 carry no server name, historical user IDs allow more characters).
 */
const stringFormats: Record<string, StringCheck> = {
  "mx-user-id": (v) => /^@[^:]+:.+$/.test(v),
  "mx-room-id": (v) => /^![^\s]+$/.test(v),
  "mx-event-id": (v) => /^\$[^\s]+$/.test(v),
  "mx-room-alias": (v) => /^#[^:]*:.+$/.test(v),
  "mx-server-name": (v) => /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]+)(:\d{1,5})?$/.test(v),
  "mx-mxc-uri": (v) => /^mxc:\/\/[^/]+\/[^/]+$/.test(v),
  "mx-unpadded-base64": (v) => /^[A-Za-z0-9+/_-]*$/.test(v),
  uri: (v) => URL.canParse(v),
  email: (v) => /^[^@\s]+@[^@\s]+$/.test(v),
};

export function registerSpecFormats(ajv: Ajv2020, spec: unknown): void {
  for (const [name, check] of Object.entries(stringFormats)) {
    ajv.addFormat(name, { type: "string", validate: check });
  }
  // Canonical JSON (which events are signed in) only allows integers in the IEEE-754 safe range.
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("float", { type: "number", validate: (n: number) => Number.isFinite(n) });
  // Any other format the spec names (there are a few informal ones) is accepted as is.
  for (const name of formatNamesIn(spec)) {
    if (!(name in stringFormats) && name !== "int64" && name !== "float") ajv.addFormat(name, true);
  }
}

function formatNamesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) formatNamesIn(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "format" && typeof child === "string") found.add(child);
      else formatNamesIn(child, found);
    }
  }
  return found;
}
