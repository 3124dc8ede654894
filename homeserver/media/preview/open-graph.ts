import { scanHtml } from "./html-scanner.js";

/** Open Graph data as a preview answers it: `og:title`, `og:description`, `og:image`, ... */
export type OpenGraph = Record<string, string | number>;

// As Synapse: a page with more og: tags than this is ignored rather than echoed back.
const MAX_OG_TAGS = 50;
// Twitter card tags that have no Open Graph equivalent.
const TWITTER_ONLY = new Set(["twitter:card", "twitter:creator", "twitter:site"]);

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * The Open Graph data of an HTML page (https://ogp.me/): its og: meta tags (the first of each wins, as the
 * first og:image is the page's main one), then Twitter card tags for what og: lacks, then the <title> and the
 * meta description as the title and description when the page names none.
 */
export function openGraphFromHtml(html: string): OpenGraph {
  const { metas, title } = scanHtml(html);
  const og: OpenGraph = {};
  const twitter: Record<string, string> = {};
  let ogCount = 0;
  let description: string | undefined;
  for (const meta of metas) {
    const content = meta.content === undefined ? "" : collapse(meta.content);
    if (content === "") continue;
    const key = (meta.property ?? meta.name ?? "").trim();
    if (/^og:/i.test(key)) {
      if (++ogCount > MAX_OG_TAGS) return {};
      const normal = key.toLowerCase();
      if (!(normal in og)) og[normal] = content;
    } else if (/^twitter:/i.test(key)) {
      const normal = key.toLowerCase();
      if (!TWITTER_ONLY.has(normal) && !(normal in twitter)) twitter[normal] = content;
    } else if (description === undefined && (meta.name ?? "").trim().toLowerCase() === "description") {
      description = content;
    }
  }
  for (const [key, value] of Object.entries(twitter)) {
    const ogKey = `og:${key.slice("twitter:".length)}`;
    if (!(ogKey in og)) og[ogKey] = value;
  }
  if (!("og:title" in og) && title !== undefined && collapse(title) !== "") og["og:title"] = collapse(title);
  if (!("og:description" in og) && description !== undefined) og["og:description"] = description;
  return og;
}

/**
 * The character set to decode a page with: the Content-Type header's, else a <meta charset> (or its http-equiv
 * form) near the start of the page, else UTF-8.
 */
export function charsetOf(contentType: string | undefined, body: Buffer): string {
  const fromHeader = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1];
  if (fromHeader) return fromHeader;
  const head = body.subarray(0, 2048).toString("latin1");
  return /<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)/i.exec(head)?.[1] ?? "utf-8";
}

/** The page's text; an unknown character set is read as UTF-8 rather than refused. */
export function decodePage(contentType: string | undefined, body: Buffer): string {
  try {
    return new TextDecoder(charsetOf(contentType, body)).decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body);
  }
}
