/**
 * Entry point of `deno task key` (`key generate`, `key inspect`), Substrate's
 * `subkey` for Sutantra's ed25519 keys. See `args.ts` for the command line.
 *
 * @module
 */
import { runKeyTool } from "./cli.ts";

function readFileIfExists(path: string): string | undefined {
  try {
    return Deno.statSync(path).isFile ? Deno.readTextFileSync(path).trimEnd() : undefined;
  } catch {
    return undefined; // not a file, or not allowed to look: treat the argument as the URI
  }
}

if (import.meta.main) {
  const result = runKeyTool(Deno.args, {
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    readFileIfExists,
  });
  if (result.stdout) await Deno.stdout.write(new TextEncoder().encode(result.stdout));
  if (result.stderr) await Deno.stderr.write(new TextEncoder().encode(result.stderr));
  Deno.exit(result.code);
}
