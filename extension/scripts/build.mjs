// Builds the unpacked extension for Chromium into dist/unpacked and for
// Firefox into dist/firefox, from the same sources: bundles the TypeScript
// entry points with esbuild and copies the static files (manifest, pages,
// styles). The Firefox manifest is derived from static/manifest.json by
// firefoxManifest (scripts/manifest.mjs).
import { build } from "esbuild";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { ICON_COLORS, iconPNG } from "./icon.mjs";
import { firefoxManifest } from "./manifest.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const targets = [
  { name: "chromium", dir: path.join(root, "dist", "unpacked"), esbuildTarget: "chrome116" },
  { name: "firefox", dir: path.join(root, "dist", "firefox"), esbuildTarget: "firefox128" },
];

// The manifest's key must be the committed public key: it fixes the extension id.
const manifest = JSON.parse(await readFile(path.join(root, "static", "manifest.json"), "utf8"));
const key = (await readFile(path.join(root, "key.pub.b64"), "utf8")).trim();
if (manifest.key !== key) throw new Error("build: static/manifest.json key differs from key.pub.b64");

for (const t of targets) {
  await buildTarget(t);
  console.log(`build: ${path.relative(process.cwd(), t.dir) || "."} (${manifest.name} ${manifest.version}, ${t.name})`);
}

async function buildTarget({ name, dir: dist, esbuildTarget }) {
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
    target: esbuildTarget,
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

  if (name === "firefox") {
    await writeFile(path.join(dist, "manifest.json"), JSON.stringify(firefoxManifest(manifest), null, 2) + "\n");
  }
}
