/**
 * `light.warp`: time and bytes for a light client to sync from genesis over
 * 10, 100 and 1,000 authority set changes of 100 validators (staking's
 * default `ValidatorCount`). The real {@link LightClient} syncs from a
 * {@link CannedPeer} serving a synthetic chain (`_light_chain.ts`) in the
 * wire format: warp proofs of at most `MAX_WARP_FRAGMENTS` changes each, as
 * a full node serves them, then the finality proof of the block after the
 * last change. The answers are encoded before the clock starts: the time is
 * the client's (decoding, and checking every signature with `verifyNative`,
 * the node's `node:crypto` ed25519), after one untimed warp warms the JIT.
 * Target: under 10 s over 1,000 changes.
 *
 * @module
 */
import { LightClient } from "../client/light/client.ts";
import type { WarpFragment } from "../client/light/finality.ts";
import {
  finalityProofType,
  type LightRequest,
  MAX_WARP_FRAGMENTS,
  warpProofType,
} from "../client/light/protocol.ts";
import { encode } from "../runtime/codec/types.ts";
import { verifyNative } from "../runtime/crypto/mod.ts";
import { SyntheticChain } from "./_light_chain.ts";
import { CannedPeer } from "./_light_peer.ts";
import type { BenchResult } from "./_result.ts";

const SET_SIZE = 100;
const CHANGES = [10, 100, 1000];
const TARGET_MS = 10_000;
const KIB = 1024;

/** Warps over each number of set changes and reports its time and bytes. */
export async function run(): Promise<BenchResult[]> {
  // Every block closes a set: block k + 1 is the k-th change.
  const chain = new SyntheticChain({ setSize: SET_SIZE, era: 1 });
  const blocks = Array.from({ length: Math.max(...CHANGES) + 1 }, () => chain.next());
  const syncOver = async (changes: number) => {
    const peer = new CannedPeer(answers(blocks, changes));
    const client = new LightClient(chain.checkpoint, peer, verifyNative);
    const t0 = performance.now();
    const head = await client.sync();
    const ms = performance.now() - t0;
    if (head.number !== changes + 1) throw new Error(`Synced to #${head.number}`);
    return { ms, bytes: peer.bytes };
  };
  await syncOver(CHANGES[0]);
  const results: BenchResult[] = [];
  const note = `sets of ${SET_SIZE}, verifyNative (node:crypto ed25519)`;
  for (const changes of CHANGES) {
    const { ms, bytes } = await syncOver(changes);
    const target = changes === 1000 ? { ceiling: TARGET_MS, ratio: round(ms / TARGET_MS) } : {};
    results.push(
      { name: `light.warp.time.${changes}`, value: round(ms), unit: "ms", ...target, note },
      { name: `light.warp.bytes.${changes}`, value: round(bytes / KIB), unit: "KiB", note },
    );
  }
  return results;
}

/**
 * A full node's answers on a chain whose first `changes` blocks close sets:
 * warp proofs from each set on, then the finality of the next block.
 */
function answers(blocks: WarpFragment[], changes: number): (r: LightRequest) => Uint8Array {
  const warps = new Map<bigint, Uint8Array>();
  for (let from = 0; from < changes; from += MAX_WARP_FRAGMENTS) {
    const to = Math.min(from + MAX_WARP_FRAGMENTS, changes);
    warps.set(
      BigInt(from),
      encode(warpProofType, { fragments: blocks.slice(from, to), isFinished: to === changes }),
    );
  }
  const { header, justification } = blocks[changes];
  const finality = encode(finalityProofType, { headers: [header], justification });
  return (request) => {
    if (request.tag === "Finality") return finality;
    const warp = request.tag === "WarpProof" && warps.get(request.value.fromSetId);
    if (!warp) throw new Error(`No answer to ${request.tag}`);
    return warp;
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

if (import.meta.main) console.table(await run());
