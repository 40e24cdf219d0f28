/**
 * `chainHead_v1_*` over a light client's finalized chain: each finalized
 * block is reported as a new block, the best and finalized at once; storage
 * items and runtime calls are read over proven state.
 *
 * @module
 */
import { registerChainHead, runtimeSpecJson } from "../../rpc/chain_head/mod.ts";
import type { ChainBlock, FollowedChain } from "../../rpc/chain_head/mod.ts";
import type { MethodTable } from "../../rpc/methods.ts";
import { runtimeVersionJson } from "../../rpc/format.ts";
import { storageItems } from "../../rpc/storage_query.ts";
import type { KeptBlock, LightChain } from "../chain.ts";
import { UnprovableRead } from "../chain.ts";
import type { LightRpcInit, LightRuntime } from "./mod.ts";

/** Registers `chainHead_v1_*` over `init.chain`. */
export function registerLightChainHead(
  table: MethodTable,
  init: LightRpcInit & { runtime: LightRuntime },
): void {
  const { chain, runtime } = init;
  const spec = runtimeSpecJson(runtimeVersionJson(runtime.version));
  registerChainHead(table, {
    chain: followedChain(chain),
    storage: async function* (header, queries, childTrie) {
      // Sutantra's state has no child tries: a query into one finds nothing.
      if (childTrie) return;
      const items = await chain.run(header, (state) => [
        ...storageItems(state, () => {
          throw new UnprovableRead("Merkle values need the trie itself, not read proofs");
        }, queries),
      ]);
      yield* items;
    },
    call: (header, fn, input) =>
      chain.run(header, (state) => runtime.call(state, header, fn, input)),
    runtimeSpec: () => spec,
    limits: { maxFollowsPerConnection: 4 },
  });
}

/** `chain` as a follow subscription sees it: every block final, reported as it is finalized. */
export function followedChain(chain: LightChain): FollowedChain {
  /** The newly finalized blocks of an advance (only the newest after a gap: the rest were never seen). */
  const advanced = (headers: { number: number }[], gap: boolean): KeptBlock[] =>
    (gap ? [chain.finalizedBlock] : headers.map((h) => chain.blockAt(h.number)))
      .filter((b): b is KeptBlock => b !== undefined);
  return {
    get finalized(): ChainBlock {
      return chain.finalizedBlock;
    },
    get best(): ChainBlock {
      return chain.finalizedBlock;
    },
    block: (hash) => chain.block(hash),
    onImported: (listener) =>
      chain.onFinalized(({ headers, gap }) => {
        for (const block of advanced(headers, gap)) listener({ block });
      }),
    onBestChanged: (listener) => chain.onFinalized(() => listener({ best: chain.finalizedBlock })),
    onFinalized: (listener) =>
      chain.onFinalized(({ headers, gap }) => {
        for (const block of advanced(headers, gap)) listener(block);
      }),
    pin: (hash) => chain.pin(hash),
    unpin: (hash) => chain.unpin(hash),
    body: async (hash) => {
      if (!chain.block(hash)) return undefined;
      return await chain.body(hash);
    },
  };
}
