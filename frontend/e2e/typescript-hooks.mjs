// Module hooks registered by typescript.mjs (they run on Node's loader
// thread): .ts files are transpiled to JavaScript, and the extension-less
// relative imports the frontend's sources use ("./format") find their .ts.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const fromTS = context.parentURL?.endsWith(".ts") ?? false;
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !fromTS || !specifier.startsWith(".") || specifier.endsWith(".ts")) throw err;
    return next(`${specifier}.ts`, context);
  }
}

export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const source = await readFile(new URL(url), "utf8");
  const out = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true },
  });
  if (out.diagnostics?.length) {
    throw new Error(`${url}: ${ts.formatDiagnostics(out.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => "", getNewLine: () => "\n" })}`);
  }
  return { format: "module", source: out.outputText, shortCircuit: true };
}
