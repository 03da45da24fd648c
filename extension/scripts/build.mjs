// Builds the unpacked extension into dist/: bundles the TypeScript entry
// points with esbuild and copies the static files (manifest, pages, styles).
import { build } from "esbuild";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { ICON_COLORS, iconPNG } from "./icon.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, "dist", "unpacked");

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

await build({
  absWorkingDir: root,
  entryPoints: {
    background: "src/background.ts",
    popup: "src/popup/popup.ts",
    options: "src/options/options.ts",
  },
  outdir: dist,
  bundle: true,
  format: "iife",
  target: "chrome116",
  platform: "browser",
  sourcemap: false,
  minify: false,
  legalComments: "none",
  logLevel: "warning",
});

await cp(path.join(root, "static"), dist, { recursive: true });

await mkdir(path.join(dist, "icons"), { recursive: true });
for (const size of [16, 32, 48, 128]) {
  await writeFile(path.join(dist, "icons", `icon-${size}.png`), iconPNG(size));
  // The toolbar shows this one while no time counts (src/lib/badge.ts).
  await writeFile(path.join(dist, "icons", `icon-inactive-${size}.png`), iconPNG(size, ICON_COLORS.inactive));
}

// The manifest's key must be the committed public key: it fixes the extension id.
const manifest = JSON.parse(await readFile(path.join(dist, "manifest.json"), "utf8"));
const key = (await readFile(path.join(root, "key.pub.b64"), "utf8")).trim();
if (manifest.key !== key) throw new Error("build: static/manifest.json key differs from key.pub.b64");

console.log(`build: ${path.relative(process.cwd(), dist) || "."} (${manifest.name} ${manifest.version})`);
