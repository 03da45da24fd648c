import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inflateRawSync, crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without types
import { zip } from "../../scripts/zip.mjs";

const root = path.resolve(__dirname, "../..");
const EXTENSION_ID = "bgjaichghhjgafncimbkcknkmplbcdmi";

/** The id Chrome derives from a public key: sha256, first 32 hex digits, 0-f mapped to a-p. */
function extensionId(keyB64: string): string {
  const hex = createHash("sha256").update(Buffer.from(keyB64, "base64")).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode("a".charCodeAt(0) + parseInt(c, 16))).join("");
}

describe("manifest", () => {
  const manifest = JSON.parse(readFileSync(path.join(root, "static/manifest.json"), "utf8"));
  const key = readFileSync(path.join(root, "key.pub.b64"), "utf8").trim();

  it("carries the committed public key, which gives the fixed extension id", () => {
    expect(manifest.key).toBe(key);
    expect(extensionId(manifest.key)).toBe(EXTENSION_ID);
  });

  it("is MV3 with exactly the permissions the worker uses", () => {
    expect(manifest.manifest_version).toBe(3);
    expect([...manifest.permissions].sort()).toEqual(["alarms", "identity", "idle", "nativeMessaging", "storage", "tabs"]);
    expect(manifest.host_permissions).toBeUndefined();
    // Direct mode asks for its server's origin only, at sign-in.
    expect(manifest.optional_host_permissions).toEqual(["https://*/*", "http://127.0.0.1/*", "http://localhost/*"]);
    expect(manifest.content_scripts).toBeUndefined();
    expect(manifest.background.service_worker).toBe("background.js");
  });

  it("has the same version as package.json", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    expect(manifest.version).toBe(pkg.version);
  });

  it("no private key is in the tree", () => {
    const tracked = execFileSync("git", ["ls-files", "."], { cwd: root, encoding: "utf8" });
    for (const f of tracked.split("\n").filter(Boolean)) {
      if (f.includes("node_modules/")) continue;
      const text = readFileSync(path.join(root, f), "utf8");
      // PEM, or the base64 DER of an RSA PKCS#8 private key (what Chrome's .pem holds).
      expect(text, f).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text, f).not.toMatch(/MII[A-Za-z0-9+/]{2}[A-Za-z0-9+/]IBADANBgkqhkiG9w0BAQEFAAS/);
    }
  });
});

/** readZip parses the archives zip() writes (no zip64, no data descriptors). */
function readZip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const eocd = buf.length - 22;
  expect(buf.readUInt32LE(eocd)).toBe(0x06054b50);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString("utf8");
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + csize);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    expect(crc32(data), name).toBe(crc);
    out.set(name, data);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe("zip", () => {
  const files = [
    { name: "manifest.json", data: Buffer.from('{"a":1}') },
    { name: "dir/big.js", data: Buffer.from("x".repeat(10_000)) },
    { name: "empty.txt", data: Buffer.alloc(0) },
    { name: "ünïcode.txt", data: Buffer.from("héllo") },
  ];

  it("round-trips every file", () => {
    const got = readZip(zip(files));
    expect([...got.keys()].sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(got.get(f.name)?.equals(f.data), f.name).toBe(true);
  });

  it("is reproducible whatever the input order", () => {
    expect(zip(files).equals(zip([...files].reverse()))).toBe(true);
  });

  it("is read by unzip", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wt-zip-"));
    try {
      writeFileSync(path.join(dir, "a.zip"), zip(files));
      const listing = execFileSync("python3", ["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print(sorted(z.namelist()))", path.join(dir, "a.zip")], { encoding: "utf8" });
      expect(listing).toContain("None");
      expect(listing).toContain("dir/big.js");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([["/abs"], ["../up"], ["a/../../b"], [""]])("refuses the entry name %j", (name) => {
    expect(() => zip([{ name, data: Buffer.alloc(1) }])).toThrow(/bad entry name/);
  });
});

describe("icon", () => {
  it.each([16, 32, 48, 128])("iconPNG(%i) is a valid RGBA PNG of that size, round with an opaque centre", async (size) => {
    // @ts-expect-error: a plain .mjs build script without types
    const { iconPNG } = await import("../../scripts/icon.mjs");
    const png: Buffer = iconPNG(size);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(size);
    expect(png.readUInt32BE(20)).toBe(size);
    expect(png[24]).toBe(8);
    expect(png[25]).toBe(6);
    const idatLen = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString("ascii")).toBe("IDAT");
    expect(crc32(png.subarray(37, 41 + idatLen))).toBe(png.readUInt32BE(41 + idatLen));
    const { inflateSync } = await import("node:zlib");
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(size * (size * 4 + 1));
    const alpha = (x: number, y: number) => raw[y * (size * 4 + 1) + 1 + x * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(size >> 1, size - 3)).toBe(255);
  });

  it("the inactive icon is the same clock in grey", async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { ICON_COLORS, iconPNG } = await import("../../scripts/icon.mjs");
    const { inflateSync } = await import("node:zlib");
    const pixel = (png: Buffer, x: number, y: number) => {
      const idatLen = png.readUInt32BE(33);
      const raw = inflateSync(png.subarray(41, 41 + idatLen));
      const i = y * (32 * 4 + 1) + 1 + x * 4;
      return [...raw.subarray(i, i + 4)];
    };
    // A point on the disc away from the hands.
    expect(pixel(iconPNG(32), 8, 20)).toEqual([...ICON_COLORS.active, 255]);
    expect(pixel(iconPNG(32, ICON_COLORS.inactive), 8, 20)).toEqual([...ICON_COLORS.inactive, 255]);
  });

  it("every file the manifest names is in static/ or made by the build", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "static/manifest.json"), "utf8"));
    const built = new Set([
      "background.js",
      "popup.js",
      "options.js",
      ...[16, 32, 48, 128].flatMap((n) => [`icons/icon-${n}.png`, `icons/icon-inactive-${n}.png`]),
    ]);
    const named = [
      manifest.background.service_worker,
      manifest.action.default_popup,
      manifest.options_ui.page,
      ...Object.values(manifest.icons as Record<string, string>),
      ...Object.values(manifest.action.default_icon as Record<string, string>),
    ];
    for (const f of named) {
      expect(built.has(f) || existsSync(path.join(root, "static", f)), f).toBe(true);
    }
  });
});

describe("Firefox build", () => {
  const chromium = JSON.parse(readFileSync(path.join(root, "static/manifest.json"), "utf8"));
  // worktimed writes Firefox's host manifest for this add-on id.
  const goID = /DefaultFirefoxExtensionID = "([^"]+)"/.exec(readFileSync(path.join(root, "../internal/install/install.go"), "utf8"))?.[1];

  it("derives Firefox's manifest: the id worktimed allows, a background script, nothing Chromium-only", async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { firefoxManifest, FIREFOX_ID } = await import("../../scripts/manifest.mjs");
    expect(goID).toBeDefined();
    expect(FIREFOX_ID).toBe(goID);
    const ff = firefoxManifest(chromium);
    expect(ff.browser_specific_settings).toEqual({ gecko: { id: goID, strict_min_version: "128.0" } });
    expect(ff.background).toEqual({ scripts: ["background.js"] });
    expect(ff.key).toBeUndefined();
    expect(ff.minimum_chrome_version).toBeUndefined();
    // Everything else is the Chromium manifest's.
    const { browser_specific_settings: _b, background: _g, ...rest } = ff;
    const { key: _k, minimum_chrome_version: _m, background: _c, ...want } = chromium;
    expect(rest).toEqual(want);
    expect(chromium.key).toBeDefined(); // the input was not changed
  });

  it("refuses a manifest without a service worker to convert", async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { firefoxManifest } = await import("../../scripts/manifest.mjs");
    expect(() => firefoxManifest({ ...chromium, background: { scripts: ["a.js"] } })).toThrow(/service_worker/);
  });

  it("packs the same files for both browsers, the .xpi with Firefox's manifest at its root", () => {
    execFileSync("node", [path.join(root, "scripts/build.mjs")], { cwd: root });
    execFileSync("node", [path.join(root, "scripts/package.mjs")], { cwd: root });
    const zipped = readZip(readFileSync(path.join(root, "dist/worktime-extension.zip")));
    const xpi = readZip(readFileSync(path.join(root, "dist/worktime-extension.xpi")));
    expect([...xpi.keys()].sort()).toEqual([...zipped.keys()].sort());
    const ffManifest = JSON.parse(xpi.get("manifest.json")?.toString("utf8") ?? "{}");
    expect(ffManifest.browser_specific_settings?.gecko?.id).toBe(goID);
    expect(ffManifest.background).toEqual({ scripts: ["background.js"] });
    expect(JSON.parse(zipped.get("manifest.json")?.toString("utf8") ?? "{}").key).toBe(chromium.key);
    for (const page of ["popup.html", "options.html", "popup.css"]) expect(xpi.get(page)?.equals(zipped.get(page) ?? Buffer.alloc(0)), page).toBe(true);
  });
});

describe("the worker's defaults", () => {
  // wrangler.jsonc is JSON with comments; the two vars are plain strings on their own lines.
  const wrangler = readFileSync(path.join(root, "../worker/wrangler.jsonc"), "utf8");
  const varOf = (name: string) => new RegExp(`"${name}":\\s*"([^"]*)"`).exec(wrangler)?.[1]?.split(",").map((s) => s.trim());

  it("let this extension sign in from Chromium: its origin is allowed", () => {
    const key = readFileSync(path.join(root, "key.pub.b64"), "utf8").trim();
    expect(varOf("ALLOWED_ORIGINS")).toContain(`chrome-extension://${extensionId(key)}`);
  });

  it("let this extension sign in from Firefox: its identity.getRedirectURL() is allowed", async () => {
    // @ts-expect-error: a plain .mjs build script without types
    const { FIREFOX_ID } = await import("../../scripts/manifest.mjs");
    // Firefox: https://<hex SHA-1 of the add-on id>.extensions.allizom.org/
    // (toolkit/components/extensions/child/ext-identity.js, getRedirectURL).
    const hash = createHash("sha1").update(FIREFOX_ID).digest("hex");
    expect(varOf("ALLOWED_REDIRECT_URIS")).toContain(`https://${hash}.extensions.allizom.org/`);
  });
});
