// Lets the end-to-end tests import the frontend's own TypeScript modules
// (`import { formatDuration } from "../src/format.ts"`) instead of copying
// them: `node --import ./e2e/typescript.mjs --test e2e/` registers hooks
// that strip the types with the project's TypeScript compiler. Node 20 has
// no type stripping of its own.
import { register } from "node:module";

register("./typescript-hooks.mjs", import.meta.url);
