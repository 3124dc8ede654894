import type { JsonSchema } from "./route-catalogue.js";

type Json = unknown;
type JsonObject = Record<string, Json>;

/** A value of the shape `schema` asks for: the smallest that validates, named fields filled by `named`. */
export function exampleFor(schema: JsonSchema | undefined, name: string, named: (name: string) => string | undefined): Json {
  if (!schema) return named(name) ?? "x";
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (alternatives?.length) return exampleFor(alternatives[0], name, named);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const out: JsonObject = {};
      for (const key of (schema.required ?? []) as string[]) out[key] = exampleFor(properties[key], key, named);
      return out;
    }
    case "array": {
      const min = Number(schema.minItems ?? 0);
      return Array.from({ length: min }, () => exampleFor(schema.items as JsonSchema | undefined, name, named));
    }
    case "integer":
    case "number":
      return Number(schema.minimum ?? 1);
    case "boolean":
      return true;
    case "null":
      return null;
    case "string": {
      const real = named(name);
      if (real !== undefined) return real;
      return "x".repeat(Math.max(1, Number(schema.minLength ?? 1)));
    }
  }
  return named(name) ?? "x";
}

/** A field inside a body, as the list of keys (and array indexes) that lead to it. */
export type FieldPath = Array<string | number>;

/**
 * Every field a body may have, from its schema and from the example it starts from: nested objects and the
 * first item of arrays, a few levels down (the depth real request bodies have).
 */
export function fieldPaths(schema: JsonSchema | undefined, example: Json, maxDepth = 3): FieldPath[] {
  const out: FieldPath[] = [];
  const visit = (s: JsonSchema | undefined, value: Json, path: FieldPath) => {
    if (path.length >= maxDepth) return;
    const properties = (s?.properties ?? {}) as Record<string, JsonSchema>;
    const keys = new Set<string>(Object.keys(properties));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) for (const key of Object.keys(value)) keys.add(key);
    for (const key of keys) {
      const child = [...path, key];
      out.push(child);
      const childValue = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject)[key] : undefined;
      const childSchema = properties[key];
      if (Array.isArray(childValue) || childSchema?.type === "array") {
        const items = childSchema?.items as JsonSchema | undefined;
        const first = Array.isArray(childValue) ? childValue[0] : undefined;
        out.push([...child, 0]);
        if (items || (first !== null && typeof first === "object")) visit(items, first, [...child, 0]);
      } else if (childSchema?.properties || (childValue !== null && typeof childValue === "object")) {
        visit(childSchema, childValue, child);
      }
    }
  };
  visit(schema, example, []);
  return out;
}

/** A copy of `body` with the field at `path` set to `value`, creating the objects and arrays on the way. */
export function withField(body: Json, path: FieldPath, value: Json): Json {
  const root: Json = structuredClone(body ?? {});
  let node = root as JsonObject | Json[];
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const nextKey = path[i + 1];
    const current = (node as Record<string | number, Json>)[key];
    if (current === null || typeof current !== "object") {
      (node as Record<string | number, Json>)[key] = typeof nextKey === "number" ? [] : {};
    }
    node = (node as Record<string | number, Json>)[key] as JsonObject | Json[];
  }
  (node as Record<string | number, Json>)[path[path.length - 1]] = value;
  return root;
}

/** The leaf name of a path, for choosing real ids by field name. */
export const leafName = (path: FieldPath) => String([...path].reverse().find((part) => typeof part === "string") ?? "");
