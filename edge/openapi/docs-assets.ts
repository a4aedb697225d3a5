// The /docs page's stylesheet and script, served by the edge under names carrying their content
// hash (cached for good, linked with Subresource Integrity): no CDN, so the docs work offline.
import { hashedAsset, type HashedAsset } from "../pages/hashed-asset.ts";

export type DocsAsset = HashedAsset;
export type DocsAssets = { css: DocsAsset; js: DocsAsset };

const docsCss = `
:root { color-scheme: light dark; --fg: #1d1b20; --bg: #fdfcff; --muted: #5d5a63; --line: #d9d4e0; --accent: #2b1740; --code: #f2eff6; }
@media (prefers-color-scheme: dark) { :root { --fg: #ece8f2; --bg: #17151a; --muted: #aaa4b3; --line: #3a3540; --accent: #cbb6e6; --code: #25222a; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); display: grid; grid-template-columns: 18rem 1fr; }
.toc { position: sticky; top: 0; height: 100vh; overflow: auto; padding: 1rem; border-right: 1px solid var(--line); font-size: 0.85rem; }
.toc ul { list-style: none; margin: 0 0 1rem; padding: 0; }
.toc li a { display: block; padding: 0.1rem 0; text-decoration: none; color: var(--fg); }
.toc-tag { font-size: 0.95rem; margin: 1rem 0 0.3rem; }
main { padding: 1rem 2rem 4rem; max-width: 60rem; }
a { color: var(--accent); }
code { font: 0.9em ui-monospace, monospace; background: var(--code); padding: 0 0.2em; border-radius: 3px; }
.op { border-top: 1px solid var(--line); padding: 1rem 0; }
.op h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
.summary { font-weight: normal; color: var(--muted); }
.method { display: inline-block; min-width: 3.6em; text-align: center; font: bold 0.75rem ui-monospace, monospace; padding: 0.1rem 0.3rem; border-radius: 3px; color: #fff; background: #555; }
.m-get { background: #1f6f43; } .m-post { background: #1d4f91; } .m-delete { background: #9b2226; }
table.fields { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.3rem 0 0.8rem; }
.fields th, .fields td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 0.25rem 0.5rem 0.25rem 0; }
.req { color: #b3261e; margin-left: 0.15em; }
dl.responses { display: grid; grid-template-columns: 4rem 1fr; gap: 0.2rem 0.5rem; font-size: 0.9rem; }
dl.responses dt { font-weight: bold; font-family: ui-monospace, monospace; }
dt.s2, dt.s3 { color: #1f6f43; } dt.s4, dt.s5 { color: #9b2226; }
dl.responses dd { margin: 0; }
details.try { margin-top: 0.5rem; }
.try-form label, .key label { display: grid; gap: 0.2rem; margin: 0.4rem 0; font-size: 0.9rem; }
.try-form input, .try-form textarea, .key input { font: 0.9rem ui-monospace, monospace; padding: 0.3rem; width: 100%; color: inherit; background: var(--bg); border: 1px solid var(--line); }
.try-result { display: block; white-space: pre-wrap; font: 0.85rem ui-monospace, monospace; background: var(--code); margin-top: 0.5rem; max-height: 30rem; overflow: auto; }
.schema { border-top: 1px solid var(--line); padding-top: 0.5rem; }
@media (max-width: 50rem) { body { display: block; } .toc { position: static; height: auto; border: 0; } }
`;

// Plain ES5 so that any browser runs it; text goes into the page only through textContent.
const docsJs = String.raw`(function () {
  "use strict";
  var keyInput = document.getElementById("api-key");
  try { keyInput.value = sessionStorage.getItem("opus-docs-key") || ""; } catch (e) {}
  keyInput.addEventListener("input", function () {
    try { sessionStorage.setItem("opus-docs-key", keyInput.value); } catch (e) {}
  });
  document.getElementById("key-form").addEventListener("submit", function (e) { e.preventDefault(); });
  Array.prototype.forEach.call(document.querySelectorAll(".try-form"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var out = form.querySelector(".try-result");
      var path = form.getAttribute("data-path");
      var query = [];
      Array.prototype.forEach.call(form.querySelectorAll("input[data-in]"), function (input) {
        if (input.getAttribute("data-in") === "path") path = path.replace("{" + input.name + "}", encodeURIComponent(input.value));
        else if (input.value !== "") query.push(encodeURIComponent(input.name) + "=" + encodeURIComponent(input.value));
      });
      var headers = {};
      if (keyInput.value) headers.authorization = "Bearer " + keyInput.value;
      var bodyField = form.querySelector("textarea[name=body]");
      var body;
      if (bodyField && bodyField.value.trim() !== "") { body = bodyField.value; headers["content-type"] = "application/json"; }
      var url = path + (query.length ? "?" + query.join("&") : "");
      out.textContent = form.getAttribute("data-method") + " " + url + " ...";
      fetch(url, { method: form.getAttribute("data-method"), headers: headers, body: body }).then(function (res) {
        return res.text().then(function (text) {
          var shown = text;
          try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) {}
          out.textContent = res.status + " " + res.statusText + "\n" + (res.headers.get("content-type") || "") + "\n\n" + shown;
        });
      }, function (error) {
        out.textContent = "Request failed: " + error;
      });
    });
  });
})();
`;

// Hashed once per isolate or process, on first use (Workers allow no crypto work at load time).
let hashed: Promise<DocsAssets> | undefined;
export function docsAssets(): Promise<DocsAssets> {
  hashed ??= Promise.all([hashedAsset("/docs/assets", "docs", "css", docsCss, "text/css; charset=utf-8"), hashedAsset("/docs/assets", "docs", "js", docsJs, "text/javascript; charset=utf-8")]).then(([css, js]) => ({ css, js }));
  return hashed;
}
