/** Compiled patterns, by pattern and mode: the same few patterns (a localpart, "m.notice") recur for every event. */
const compiled = new Map<string, RegExp>();
const MAX_CACHED = 10_000;

/**
 * The spec's glob-style matching (appendices): `*` is any run of characters, `?` exactly one, `[...]` and
 * `[!...]` a character class as Synapse reads them; everything else is literal. Case-insensitive. `words`
 * is the content.body rule: the pattern matches a substring that starts and ends at a word boundary (the
 * value's ends or any character outside [A-Za-z0-9_]); otherwise it must match the whole value.
 */
export function globMatches(pattern: string, value: string, words: boolean): boolean {
  const key = `${words ? "w" : "f"}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const body = globToRegexSource(pattern);
    regex = new RegExp(words ? `(?<![A-Za-z0-9_])(?:${body})(?![A-Za-z0-9_])` : `^(?:${body})$`, "is");
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(key, regex);
  }
  return regex.test(value);
}

function globToRegexSource(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") out += ".*?";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let set = pattern.slice(i + 1, end);
      const negated = set.startsWith("!");
      if (negated) set = set.slice(1);
      out += `[${negated ? "^" : ""}${set.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return out;
}
