// Packs the builds (made by `npm run build`): dist/unpacked into
// dist/worktime-extension.zip for Chromium-family stores, and dist/firefox
// into dist/worktime-extension.xpi for Firefox (an .xpi is a zip with the
// manifest at its root).
import { readdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { zip } from "./zip.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

for (const [dir, file] of [
  ["unpacked", "worktime-extension.zip"],
  ["firefox", "worktime-extension.xpi"],
]) {
  const unpacked = path.join(root, "dist", dir);
  const out = path.join(root, "dist", file);
  const entries = await readdir(unpacked, { recursive: true, withFileTypes: true });
  const files = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath ?? e.path, e.name);
    files.push({ name: path.relative(unpacked, full).split(path.sep).join("/"), data: await readFile(full) });
  }
  if (!files.some((f) => f.name === "manifest.json")) throw new Error(`package: dist/${dir} has no manifest.json; run the build first`);
  await writeFile(out, zip(files));
  console.log(`package: ${path.relative(process.cwd(), out)} (${files.length} files)`);
}
