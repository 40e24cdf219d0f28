/**
 * What stands at the well-known key `:code`.
 *
 * A Substrate chain keeps its Wasm runtime there, and clients tell runtimes
 * apart by the hash of that value (polkadot-api reads it for every block it
 * follows). A TypeScript runtime has no blob to store, so its identity
 * stands in: spec name, spec version and impl version, which change with
 * every upgrade of behaviour. Genesis writes it.
 *
 * @module
 */
import { utf8 } from "../primitives/bytes.ts";
import type { RuntimeVersion } from "./runtime.ts";

/** The well-known storage key of the runtime code: `:code`. */
export const CODE_KEY: Uint8Array = utf8(":code");

/**
 * The value at `:code` for a runtime of `version`.
 *
 * @example
 * ```ts
 * import { runtimeCode } from "./code.ts";
 * const code = runtimeCode({
 *   specName: "sutantra", implName: "sutantra-node", authoringVersion: 1,
 *   specVersion: 101, implVersion: 1, transactionVersion: 1, stateVersion: 1,
 * });
 * if (new TextDecoder().decode(code) !== "sutantra-runtime:sutantra:101:1") throw new Error("code");
 * ```
 */
export function runtimeCode(version: RuntimeVersion): Uint8Array {
  return utf8(`sutantra-runtime:${version.specName}:${version.specVersion}:${version.implVersion}`);
}
