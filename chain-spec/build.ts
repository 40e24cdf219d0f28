/**
 * Chain specs by name or file, for the node's `build-spec` and `--chain`.
 *
 * Run as a script it prints a spec: `deno run --allow-read chain-spec/build.ts
 * dev [--raw]` (this is how `dev.json` and `local.json` are written).
 *
 * @module
 */
import { devSpec, localSpec } from "./presets.ts";
import { rawGenesis } from "./genesis.ts";
import { type ChainSpec, ChainSpecError, validateChainSpec } from "./spec.ts";

/** The built-in chains by the name `--chain` takes. */
const PRESETS: Record<string, () => ChainSpec> = { dev: devSpec, local: localSpec };

/** Options of {@link buildSpec}. */
export interface BuildSpecOptions {
  /** Replace `genesis.runtime` with the raw storage pairs it builds. */
  raw?: boolean;
}

/**
 * The chain spec `dev`, `local`, or the JSON file at a path, validated, and
 * raw if asked.
 *
 * @throws {ChainSpecError} naming the bad field of a spec, or the file that cannot be read
 * @throws {TypeError} naming the bad field of `genesis.runtime` (raw only)
 */
export function buildSpec(
  nameOrPath: string,
  options: BuildSpecOptions = {},
): ChainSpec {
  const spec = loadChainSpec(nameOrPath);
  return options.raw ? rawSpec(spec) : spec;
}

/**
 * `spec` with its `genesis.runtime` replaced by the raw storage pairs it
 * builds (as `build-spec --raw` writes it); a raw spec as it is.
 *
 * @throws {TypeError} naming the bad field of `genesis.runtime`
 */
export function rawSpec(spec: ChainSpec): ChainSpec {
  if ("raw" in spec.genesis) return spec;
  return { ...spec, genesis: { raw: { top: rawGenesis(spec.genesis.runtime) } } };
}

/**
 * A preset by name, or the chain spec in a JSON file, validated. A name wins
 * over a file of the same name, as in Substrate (write `./dev` for the file).
 *
 * @throws {ChainSpecError} naming the bad field, or the file that cannot be read or parsed
 * @example
 * ```ts
 * import { loadChainSpec } from "./build.ts";
 * const spec = loadChainSpec("local");
 * if (spec.properties.tokenSymbol !== "STREAM") throw new Error("tokenSymbol");
 * ```
 */
export function loadChainSpec(nameOrPath: string): ChainSpec {
  const preset = Object.hasOwn(PRESETS, nameOrPath) ? PRESETS[nameOrPath] : undefined;
  if (preset) return validateChainSpec(preset());
  let text: string;
  try {
    text = Deno.readTextFileSync(nameOrPath);
  } catch (e) {
    throw new ChainSpecError("(file)", `cannot read ${nameOrPath}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ChainSpecError("(file)", `${nameOrPath} is not JSON: ${(e as Error).message}`);
  }
  return validateChainSpec(json);
}

/** The stable, human-readable text of a spec: two-space JSON and a final newline. */
export function specToJson(spec: ChainSpec): string {
  return JSON.stringify(spec, null, 2) + "\n";
}

if (import.meta.main) {
  const [name = "dev", ...flags] = Deno.args;
  try {
    const spec = buildSpec(name, { raw: flags.includes("--raw") });
    console.log(specToJson(spec).trimEnd());
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
