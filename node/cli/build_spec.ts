/**
 * `build-spec`: a chain spec, raw if asked, and with `--checkpoint-from`
 * the finalized block of a running node as its `lightSyncState`, the
 * checkpoint a light client starts from instead of genesis. The node is
 * asked with Substrate's `sync_state_genSyncSpec` and must run the spec's
 * chain (the same genesis hash); its checkpoint is not proven, only taken:
 * name a node you trust, as you trust whoever hands you a spec.
 *
 * @module
 */
import { loadChainSpec, rawSpec } from "../../chain-spec/build.ts";
import { specGenesis } from "../../chain-spec/genesis.ts";
import { decodeLightSyncState, type LightSyncState } from "../../chain-spec/light_sync_state.ts";
import type { ChainSpec } from "../../chain-spec/spec.ts";
import { RpcClient } from "../../client/rpc_client.ts";
import { blockHash } from "../../runtime/block/header.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { NodeCommand } from "./args.ts";

/**
 * The spec `build-spec` prints.
 *
 * @throws {ChainSpecError} naming a bad field of the spec
 * @throws {Error} when the node cannot be reached, runs another chain or
 * answers no well-formed checkpoint
 */
export async function buildSpecCommand(
  command: Extract<NodeCommand, { kind: "build-spec" }>,
): Promise<ChainSpec> {
  let spec = loadChainSpec(command.chain);
  if (command.checkpointFrom !== undefined) {
    spec = { ...spec, lightSyncState: await finalizedCheckpoint(spec, command.checkpointFrom) };
  }
  return command.raw ? rawSpec(spec) : spec;
}

/** The `lightSyncState` of the node at `url`, which must run `spec`'s chain. */
async function finalizedCheckpoint(spec: ChainSpec, url: string): Promise<LightSyncState> {
  const rpc = await RpcClient.connect(url);
  try {
    const ours = toHex(blockHash(specGenesis(spec).header));
    const theirs = await rpc.call<string>("chainSpec_v1_genesisHash");
    if (theirs !== ours) {
      throw new Error(`The node at ${url} runs another chain: genesis ${theirs}, not ${ours}`);
    }
    const answer = await rpc.call<{ lightSyncState?: unknown }>("sync_state_genSyncSpec", [false]);
    try {
      decodeLightSyncState(answer?.lightSyncState);
    } catch (e) {
      throw new Error(`The node at ${url} answered no checkpoint: ${(e as Error).message}`);
    }
    return answer.lightSyncState as LightSyncState;
  } finally {
    rpc.close();
  }
}
