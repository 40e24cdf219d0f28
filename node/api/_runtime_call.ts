/**
 * A runtime API call at a block as the RPC methods make it (`state_call`,
 * `chainHead_v1_call`, `archive_v1_call`): on the block's own state, which
 * the node must still keep, with whatever the call writes dropped.
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import { callRuntimeApiAt } from "../../runtime/api/mod.ts";
import type { ChainClient } from "../chain/mod.ts";

/**
 * Runs runtime API function `fn` (`Api_method`) on SCALE `input` at block
 * `header`, answering its SCALE output.
 *
 * @throws {StateDiscardedError} when the block's state was pruned
 * @throws {RuntimeApiError} for an unknown method, bad input or a failed execution
 */
export function runtimeCallAt(
  client: ChainClient,
  header: Header,
  fn: string,
  input: Uint8Array,
): Uint8Array {
  // An old root may still be readable in part; the pruning window, not luck, decides.
  client.stateAt(header);
  return callRuntimeApiAt({ executive: client.executive }, header, fn, input);
}
