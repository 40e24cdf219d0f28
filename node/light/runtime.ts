/**
 * THE runtime over a state it is handed: a light client runs runtime API
 * calls, metadata and the metadata document over a `StateReader` of its
 * proofs (a key no proof covered fails the call, and the light client
 * fetches a proof and calls again), and a full node runs a call over a
 * reader that records the keys read, to prove them (a call proof).
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import { ApiState, callRuntimeApi, RUNTIME_API_METADATA } from "../../runtime/api/mod.ts";
import { verifyMulti } from "../../runtime/crypto/mod.ts";
import { Executive } from "../../runtime/executive/executive.ts";
import { metadataBytes } from "../../runtime/metadata/mod.ts";
import { runtime } from "../../runtime/mod.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { MemoryNodeStore, Trie } from "../../runtime/trie/mod.ts";
import type { LightRuntime } from "../../client/light/rpc/mod.ts";

/**
 * An executive whose every state is one reader: what a block builder or a
 * runtime API call reads at the block comes from `reader`, not a trie.
 */
class ReaderExecutive extends Executive {
  readonly #reader: StateReader;

  constructor(reader: StateReader) {
    // The trie is only written by blocks sealed here, and a light client seals none.
    super(runtime, new Trie(new MemoryNodeStore()), verifyMulti);
    this.#reader = reader;
  }

  override stateAt(): StateReader {
    return this.#reader;
  }
}

/**
 * Runs runtime API function `fn` on `input` at block `at`, reading its
 * state from `state` alone.
 *
 * @throws {RuntimeApiError} for an unknown method, bad input or a failed execution
 */
export function runtimeCallOver(
  state: StateReader,
  at: Header,
  fn: string,
  input: Uint8Array,
): Uint8Array {
  const host = { executive: new ReaderExecutive(state) };
  return callRuntimeApi(host, new ApiState(host, at), fn, input);
}

/** The node's runtime, for a light client to run over proven state. */
export const provenRuntime: LightRuntime = {
  version: runtime.version,
  call: runtimeCallOver,
  metadata: (state) => metadataBytes(runtime, 14, state, RUNTIME_API_METADATA),
  metadataJson: (state) => runtime.metadata(state),
};
