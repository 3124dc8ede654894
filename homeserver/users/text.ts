import { errors } from "../errors.js";

/**
 * Postgres text cannot hold U+0000 and fails the whole statement on it. Client strings that reach a text
 * column or a query parameter unescaped (ids, names, types) pass through here, so such input is a 4xx
 * rather than a database error. (JSON content is stored escaped, so it needs no check.)
 */
export const hasNul = (value: string): boolean => value.includes("\u0000");

export function requireStorable(value: string, field: string): string {
  if (hasNul(value)) throw errors.invalidParam(`${field} must not contain NUL characters`);
  return value;
}
