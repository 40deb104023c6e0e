// Bundles the web app's third-party libraries (entry.js) into the files the page loads:
//
//   services/web/static/vendor/vendor.js      one minified ES module
//   services/web/static/vendor/uPlot.min.css  uPlot's stylesheet
//   services/web/static/vendor/LICENSES.txt   the bundled libraries' licenses
//
// Rebuild (node 18+, from the repository root):
//
//   cd scripts/web_vendor && npm ci && npm run build
//
// The output is committed, so running and testing Fourcast never needs node. It depends only
// on package-lock.json's exact versions (esbuild's output is deterministic): rebuilding the
// same lock gives the same bytes (tests/web/test_web_server.py checks it where node_modules
// exists). `node build.mjs --out DIR` writes elsewhere (that check uses it).

import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf("--out");
const out = outIndex > 0 ? process.argv[outIndex + 1]
  : join(here, "..", "..", "services", "web", "static", "vendor");
const modules = join(here, "node_modules");

// The bundled packages, with where their license text comes from: the package's own file, or
// (for the Apache-2.0 packages, which ship none) the license text kept in licenses/ and the
// copyright line of their sources; protobuf-es carries code from Google's protobuf (BSD-3).
const BUNDLED = [
  { name: "@bufbuild/protobuf", copyright: "Copyright 2021-2026 Buf Technologies, Inc.",
    texts: ["licenses/Apache-2.0.txt"],
    extra: { file: "@bufbuild/protobuf/dist/esm/wire/varint.js", lines: 27 } },
  { name: "@connectrpc/connect", copyright: "Copyright 2021-2026 The Connect Authors",
    texts: ["licenses/Apache-2.0.txt"] },
  { name: "@connectrpc/connect-web", copyright: "Copyright 2021-2026 The Connect Authors",
    texts: ["licenses/Apache-2.0.txt"] },
  { name: "graphql-ws", texts: ["node_modules/graphql-ws/LICENSE.md"] },
  { name: "uplot", texts: ["node_modules/uplot/LICENSE"] },
];

function version(name) {
  return JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version;
}

function licenses() {
  const parts = ["The third-party libraries bundled into vendor.js and uPlot.min.css, "
    + "built by scripts/web_vendor/build.mjs.\n"];
  const printed = new Map();  // a license text file -> the package it was printed under
  for (const pkg of BUNDLED) {
    const meta = JSON.parse(readFileSync(join(modules, pkg.name, "package.json"), "utf8"));
    const license = meta.license.startsWith("(") ? meta.license : `(${meta.license})`;
    parts.push(`${"=".repeat(78)}\n${pkg.name} ${meta.version} ${license}\n`
      + `${meta.homepage ?? meta.repository?.url ?? ""}\n${"=".repeat(78)}\n`);
    if (pkg.copyright) parts.push(`${pkg.copyright}\n`);
    for (const text of pkg.texts) {
      if (printed.has(text)) {
        parts.push(`The license text is given above, under ${printed.get(text)}.\n`);
        continue;
      }
      printed.set(text, pkg.name);
      parts.push(readFileSync(join(here, text), "utf8").trim() + "\n");
    }
    if (pkg.extra) {
      const header = readFileSync(join(modules, pkg.extra.file), "utf8").split("\n")
        .slice(0, pkg.extra.lines).map((line) => line.replace(/^\/\/ ?/, "")).join("\n");
      parts.push(`\nParts derived from Google's protobuf:\n\n${header.trim()}\n`);
    }
    parts.push("");
  }
  return parts.join("\n");
}

const banner = "/* Fourcast web app vendor bundle: "
  + BUNDLED.map((pkg) => `${pkg.name} ${version(pkg.name)}`).join(", ")
  + ". Licenses: LICENSES.txt. Built by scripts/web_vendor/build.mjs. */";

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "entry.js")],
  outfile: join(out, "vendor.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  banner: { js: banner },
  logLevel: "warning",
});
writeFileSync(join(out, "uPlot.min.css"), readFileSync(join(modules, "uplot/dist/uPlot.min.css")));
writeFileSync(join(out, "LICENSES.txt"), licenses());
console.log(`wrote vendor.js, uPlot.min.css and LICENSES.txt to ${out}`);
