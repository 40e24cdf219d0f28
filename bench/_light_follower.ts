/**
 * The light client of `light.follow`, in a process of its own so that its
 * memory is its own: `deno run --v8-flags=--expose-gc _light_follower.ts
 * BLOCKS SET_SIZE ERA` makes a {@link LightClient} at genesis and syncs it
 * block by block over BLOCKS finalized blocks of a synthetic chain, then
 * prints one JSON {@link FollowReport} line. Each block's answers are made
 * before the clock starts; only `sync()` is timed.
 *
 * @module
 */
import { LightClient } from "../client/light/client.ts";
import { finalityProofType, warpProofType } from "../client/light/protocol.ts";
import { encode } from "../runtime/codec/types.ts";
import { verifyNative } from "../runtime/crypto/mod.ts";
import { SyntheticChain } from "./_light_chain.ts";
import { CannedPeer } from "./_light_peer.ts";

/** What the follower measured. */
export interface FollowReport {
  /** Wall time of one `sync()` that follows one block (no I/O: the client's CPU), µs. */
  syncUs: number;
  /** Resident memory after setup, before the first block (idle), bytes. */
  rssIdle: number;
  /** Resident memory after following every block, bytes. */
  rssAfter: number;
  /** V8 heap in use after a GC, after the first tenth of the blocks (the JIT warm), bytes. */
  heapTenth: number;
  /** V8 heap in use after a GC, after every block, bytes. */
  heapAfter: number;
}

const [blocks, setSize, era] = Deno.args.map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("Run with --v8-flags=--expose-gc");

const chain = new SyntheticChain({ setSize, era });
// Every sync warps first; the peer's current set is the client's, so nothing to warp over.
const noWarp = encode(warpProofType, { fragments: [], isFinished: true });
let finality: Uint8Array = new Uint8Array();
const peer = new CannedPeer((request) => request.tag === "WarpProof" ? noWarp : finality);
const client = new LightClient(chain.checkpoint, peer, verifyNative);
gc();
const rssIdle = Deno.memoryUsage().rss;
let heapTenth = 0;
let spent = 0;
// The first tenth warms the JIT and is not timed.
const tenth = Math.floor(blocks / 10);
for (let n = 1; n <= blocks; n++) {
  const { header, justification } = chain.next();
  finality = encode(finalityProofType, { headers: [header], justification });
  const t0 = performance.now();
  await client.sync();
  if (n > tenth) spent += performance.now() - t0;
  if (n === tenth) {
    gc();
    heapTenth = Deno.memoryUsage().heapUsed;
  }
}
if (client.finality.finalized.number !== blocks) {
  throw new Error(`Followed to #${client.finality.finalized.number}, not #${blocks}`);
}
gc();
const { rss: rssAfter, heapUsed: heapAfter } = Deno.memoryUsage();
const report: FollowReport = {
  syncUs: (spent * 1000) / (blocks - tenth),
  rssIdle,
  rssAfter,
  heapTenth,
  heapAfter,
};
console.log(JSON.stringify(report));
