/**
 * Chain specs: the presets (`dev`, `local`), validation, loading by name or
 * file, genesis from a spec, raw or not, and the checkpoint a light client
 * starts from (the spec's `lightSyncState`, or its genesis).
 *
 * @module
 */
export { type ChainSpec, ChainSpecError, validateChainSpec } from "./spec.ts";
export { devSpec, localSpec, runtimeGenesis, TOKEN } from "./presets.ts";
export { buildSpec, type BuildSpecOptions, loadChainSpec, rawSpec, specToJson } from "./build.ts";
export { checkpointAt, specCheckpoint } from "./checkpoint.ts";
export {
  type Checkpoint,
  decodeLightSyncState,
  encodeLightSyncState,
  type LightSyncState,
} from "./light_sync_state.ts";
export { genesisFromRaw, rawGenesis, type RawTop, specGenesis } from "./genesis.ts";
