import { describe, expect, it } from "vitest";
import { decodeEntities, scanHtml } from "./html-scanner.js";
import { charsetOf, decodePage, openGraphFromHtml } from "./open-graph.js";

describe("Open Graph from HTML", () => {
  it("reads og: meta tags, the first of each winning", () => {
    const html = `<!doctype html><html><head>
      <meta property="og:title" content="The title">
      <meta property="og:description" content='Single "quoted"'>
      <meta property="og:image" content="https://example.org/a.png"><meta property="og:image" content="https://example.org/b.png">
      <meta property="og:image:width" content=1200 />
      <title>Not this</title></head><body></body></html>`;
    expect(openGraphFromHtml(html)).toEqual({
      "og:title": "The title",
      "og:description": 'Single "quoted"',
      "og:image": "https://example.org/a.png",
      "og:image:width": "1200",
    });
  });

  it("falls back to <title> and the meta description", () => {
    const html = `<html><head><TITLE>  Caf&eacute; &amp; more
      news </TITLE><meta name="Description" content="About &quot;us&quot;"></head></html>`;
    expect(openGraphFromHtml(html)).toEqual({ "og:title": "Caf&eacute; & more news", "og:description": 'About "us"' });
  });

  it("takes Twitter card tags for what og: lacks, never twitter:card or twitter:site", () => {
    const html = `<meta name="twitter:title" content="Tweet title"><meta name="twitter:card" content="summary"><meta name="twitter:site" content="@x">
      <meta property="og:description" content="OG wins"><meta name="twitter:description" content="not this">`;
    expect(openGraphFromHtml(html)).toEqual({ "og:title": "Tweet title", "og:description": "OG wins" });
  });

  it("ignores tags inside comments, scripts and styles", () => {
    const html = `<!-- <meta property="og:title" content="comment"> --><script>var s = '<meta property="og:title" content="script">';</script>
      <style>/* <title>style</title> */</style><meta property="og:title" content="real">`;
    expect(openGraphFromHtml(html)).toEqual({ "og:title": "real" });
  });

  it("keeps a '>' inside a quoted attribute value", () => {
    expect(openGraphFromHtml(`<meta content="a > b" property="og:title">`)).toEqual({ "og:title": "a > b" });
  });

  it("skips empty contents and answers {} for a page without any", () => {
    expect(openGraphFromHtml(`<meta property="og:title" content="  "><p>hello</p>`)).toEqual({});
    expect(openGraphFromHtml("")).toEqual({});
  });

  it("ignores a page with more than 50 og: tags, as Synapse", () => {
    const tags = Array.from({ length: 51 }, (_, i) => `<meta property="og:k${i}" content="v">`).join("");
    expect(openGraphFromHtml(tags)).toEqual({});
  });

  it("never throws on broken markup", () => {
    for (const html of ["<", "<meta", '<meta property="og:title" content="unterminated', "<!--", "<script>", "< <a <b = = >", "&#xffffffff; &#0;", "<title>"]) {
      expect(() => openGraphFromHtml(html)).not.toThrow();
    }
    expect(openGraphFromHtml("<title>open")).toEqual({ "og:title": "open" });
  });

  it("decodes numeric references and leaves unknown names alone", () => {
    expect(decodeEntities("&#65;&#x42;&lt;&unknown;&#0;")).toBe("AB<&unknown;\ufffd");
  });

  it("reads attributes without quotes and without values", () => {
    expect(scanHtml("<meta charset=utf-8 itemprop>").metas).toEqual([{ charset: "utf-8", itemprop: "" }]);
  });
});

describe("page decoding", () => {
  it("uses the Content-Type charset, then a meta charset, then UTF-8", () => {
    const latin1 = Buffer.from('<meta charset="iso-8859-1"><title>caf\xe9</title>', "latin1");
    expect(charsetOf("text/html; charset=windows-1252", latin1)).toBe("windows-1252");
    expect(charsetOf("text/html", latin1)).toBe("iso-8859-1");
    expect(charsetOf(undefined, Buffer.from("<p>x</p>"))).toBe("utf-8");
    expect(openGraphFromHtml(decodePage("text/html", latin1))).toEqual({ "og:title": "café" });
  });

  it("reads an unknown charset as UTF-8", () => {
    expect(decodePage("text/html; charset=no-such-charset", Buffer.from("<title>ok é</title>"))).toBe("<title>ok é</title>");
  });
});
