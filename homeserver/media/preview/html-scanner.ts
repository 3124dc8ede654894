/**
 * A small, forgiving scan of an HTML document for what a preview needs: the attributes of each <meta> tag
 * and the text of the first <title>. Not a parser: it only tells tags from text, skips comments and the
 * contents of <script> and <style> (where "<meta" may appear in a string), and reads quoted and unquoted
 * attribute values. Runs in one pass over the text and never throws, whatever the bytes were.
 */
export interface ScannedHtml {
  metas: Array<Record<string, string>>;
  title: string | undefined;
}

// More than this many <meta> tags is a page built to waste our time: the rest are ignored.
const MAX_METAS = 1000;
// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT = new Set(["script", "style", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext", "title"]);

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", ndash: "\u2013", mdash: "\u2014", hellip: "\u2026", lsquo: "\u2018", rsquo: "\u2019", ldquo: "\u201c", rdquo: "\u201d", copy: "\u00a9", reg: "\u00ae", trade: "\u2122", middot: "\u00b7", bull: "\u2022", laquo: "\u00ab", raquo: "\u00bb" };

/** Decodes character references: numeric ones, and the named ones pages commonly put in titles. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});?/g, (match, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // Surrogates, NUL and beyond Unicode become the replacement character, as in browsers.
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? "\ufffd" : String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? match;
  });
}

const isNameStart = (c: string) => /[A-Za-z]/.test(c);

/** Reads the attributes from just after the tag name; returns them and the index after the closing '>'. */
function readAttributes(html: string, from: number): { attributes: Record<string, string>; end: number } {
  const attributes: Record<string, string> = {};
  let i = from;
  const n = html.length;
  while (i < n) {
    while (i < n && /[\s/]/.test(html[i])) i++;
    if (i >= n) break;
    if (html[i] === ">") return { attributes, end: i + 1 };
    const nameStart = i;
    while (i < n && !/[\s/>=]/.test(html[i])) i++;
    const name = html.slice(nameStart, i).toLowerCase();
    while (i < n && /\s/.test(html[i])) i++;
    let value = "";
    if (html[i] === "=") {
      i++;
      while (i < n && /\s/.test(html[i])) i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        const stop = close === -1 ? n : close;
        value = html.slice(i + 1, stop);
        i = stop + 1;
      } else {
        const valueStart = i;
        while (i < n && !/[\s>]/.test(html[i])) i++;
        value = html.slice(valueStart, i);
      }
    }
    // The first of a repeated attribute counts, as in browsers.
    if (name && !(name in attributes)) attributes[name] = decodeEntities(value);
  }
  return { attributes, end: n };
}

export function scanHtml(html: string): ScannedHtml {
  const metas: Array<Record<string, string>> = [];
  let title: string | undefined;
  let i = 0;
  const n = html.length;
  while (i < n) {
    const open = html.indexOf("<", i);
    if (open === -1) break;
    if (html.startsWith("<!--", open)) {
      const close = html.indexOf("-->", open + 4);
      i = close === -1 ? n : close + 3;
      continue;
    }
    const next = html[open + 1] ?? "";
    if (next === "!" || next === "?" || next === "/") {
      const close = html.indexOf(">", open + 2);
      i = close === -1 ? n : close + 1;
      continue;
    }
    if (!isNameStart(next)) {
      i = open + 1;
      continue;
    }
    let nameEnd = open + 1;
    while (nameEnd < n && /[A-Za-z0-9:-]/.test(html[nameEnd])) nameEnd++;
    const name = html.slice(open + 1, nameEnd).toLowerCase();
    const { attributes, end } = readAttributes(html, nameEnd);
    i = end;
    if (name === "meta" && metas.length < MAX_METAS) metas.push(attributes);
    if (RAW_TEXT.has(name)) {
      const closer = new RegExp(`</${name}[\\s/>]`, "gi");
      closer.lastIndex = i;
      const found = closer.exec(html);
      const textEnd = found ? found.index : n;
      if (name === "title" && title === undefined) title = decodeEntities(html.slice(i, textEnd));
      i = found ? textEnd : n;
    }
  }
  return { metas, title };
}
