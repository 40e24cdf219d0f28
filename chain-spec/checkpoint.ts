/**
 * Where a light client starts on a chain: the spec's checkpoint
 * (`lightSyncState`, trusted as the spec is) or else its genesis, with the
 * authority set that votes above it.
 *
 * @module
 */
import type { Header } from "../runtime/block/header.ts";
import type { StateReader } from "../runtime/storage/overlay.ts";
import { createExecutive } from "../runtime/mod.ts";
import { MemoryNodeStore } from "../runtime/trie/mod.ts";
import { authorities, authoritySetId } from "../pallets/authorship/mod.ts";
import { specGenesis } from "./genesis.ts";
import { type Checkpoint, decodeLightSyncState } from "./light_sync_state.ts";
import type { ChainSpec } from "./spec.ts";

/**
 * The light client's checkpoint on `spec`'s chain: its `lightSyncState`,
 * or its genesis when it has none.
 *
 * @throws {ChainSpecError} naming a bad `lightSyncState` field
 * @throws {TypeError} naming the genesis field that is wrong
 * @example
 * ```ts
 * import { specCheckpoint } from "./checkpoint.ts";
 * import { devSpec } from "./presets.ts";
 * const { header, set } = specCheckpoint(devSpec());
 * if (header.number !== 0 || set.authorities.length !== 1) throw new Error("Alice's genesis");
 * ```
 */
export function specCheckpoint(spec: ChainSpec): Checkpoint {
  if (spec.lightSyncState !== undefined) return decodeLightSyncState(spec.lightSyncState);
  const store = new MemoryNodeStore();
  const executive = createExecutive(store);
  const sealed = specGenesis(spec, executive);
  store.insert(sealed.nodes);
  return checkpointAt(sealed.header, executive.stateAt(sealed.header.stateRoot));
}

/**
 * The checkpoint at a finalized `header` whose state is `state`: the set
 * its state names votes above it (a change it schedules is enacted there).
 */
export function checkpointAt(header: Header, state: StateReader): Checkpoint {
  return { header, set: { setId: authoritySetId(state), authorities: authorities(state) } };
}
