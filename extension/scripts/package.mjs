// Packs dist/unpacked (made by `npm run build`) into dist/worktime-extension.zip,
// the file to upload to a browser's extension store or to unpack by hand.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { zip } from "./zip.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const unpacked = path.join(root, "dist", "unpacked");
const out = path.join(root, "dist", "worktime-extension.zip");

const entries = await readdir(unpacked, { recursive: true, withFileTypes: true });
const files = [];
for (const e of entries) {
  if (!e.isFile()) continue;
  const full = path.join(e.parentPath ?? e.path, e.name);
  files.push({ name: path.relative(unpacked, full).split(path.sep).join("/"), data: await readFile(full) });
}
if (!files.some((f) => f.name === "manifest.json")) throw new Error("package: dist/unpacked has no manifest.json; run the build first");
await writeFile(out, zip(files));
console.log(`package: ${path.relative(process.cwd(), out)} (${files.length} files)`);
