/**
 * Chain specs: the presets (`dev`, `local`), validation, loading by name or
 * file, and genesis from a spec, raw or not.
 *
 * @module
 */
export { type ChainSpec, ChainSpecError, validateChainSpec } from "./spec.ts";
export { devSpec, localSpec, runtimeGenesis, TOKEN } from "./presets.ts";
export { buildSpec, type BuildSpecOptions, loadChainSpec, specToJson } from "./build.ts";
export { genesisFromRaw, rawGenesis, type RawTop, specGenesis } from "./genesis.ts";
