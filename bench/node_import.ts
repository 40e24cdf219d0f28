/**
 * `node.import`: how fast a node imports blocks it did not build, with its
 * state in LevelDB, the Aura seal checked against the real clock, every
 * extrinsic executed and every signature verified (on the node's worker
 * threads, as `ChainClient` does).
 *
 * One chain is authored first, on its own temporary database: 500 empty
 * blocks, a block in which //Alice funds 1,000 accounts, then 10 blocks of
 * 1,000 transfers each (every account sends one transfer a block). A fresh
 * node on another temporary database then imports that chain, and only the
 * import is timed:
 *
 * - `node.import.empty`: the 500 empty blocks, in blocks/s. Target ≥ 2,000.
 * - `node.import.transfers`: the 10 transfer blocks, in transfers/s, against
 *   the native ed25519 verify ceiling (one thread) measured in the same run.
 *   Target: ratio ≥ 0.5.
 *
 * The funding block is imported between the two, untimed. The import is run
 * three times, each into a fresh database, and each figure is the median.
 *
 * @module
 */
import { devSpec, SLOT_MS, TOKEN } from "../chain-spec/presets.ts";
import type { Block } from "../runtime/block/header.ts";
import { type Keypair, keypairFromSeed, keypairFromUri } from "../runtime/crypto/mod.ts";
import { IMMORTAL } from "../runtime/extrinsic/era.ts";
import { extrinsicHash, signExtrinsic } from "../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../runtime/mod.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { ChainClient } from "../node/chain/mod.ts";
import { AuraVerifier, proposeBlock, slotAt } from "../node/consensus/mod.ts";
import { ChainDatabase } from "../node/db/mod.ts";
import { nativeVerifiesPerSecond } from "./_ceiling.ts";
import type { BenchResult } from "./_result.ts";

const EMPTY_BLOCKS = 500;
const ACCOUNTS = 1_000;
const TRANSFER_BLOCKS = 10;
const RUNS = 3;

/** Builds the chain, imports it three times into fresh databases, and reports the medians. */
export async function run(): Promise<BenchResult[]> {
  const chain = await authorChain();
  const emptySeconds: number[] = [];
  const transferSeconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const times = await importChain(chain);
    emptySeconds.push(times.empty);
    transferSeconds.push(times.transfers);
  }
  const ceiling = nativeVerifiesPerSecond();
  const transfers = ACCOUNTS * TRANSFER_BLOCKS / median(transferSeconds);
  return [
    {
      name: "node.import.empty",
      value: Math.round(EMPTY_BLOCKS / median(emptySeconds)),
      unit: "blocks/s",
    },
    {
      name: "node.import.transfers",
      value: Math.round(transfers),
      unit: "tx/s",
      ceiling: Math.round(ceiling),
      ratio: Number((transfers / ceiling).toFixed(3)),
    },
  ];
}

/** The authored chain, in three parts imported in this order. */
interface AuthoredChain {
  empty: Block[];
  funding: Block;
  transfers: Block[];
}

/**
 * Authors the chain as //Alice, the dev validator, in consecutive slots that
 * end before the current one, so that the importing node's seal check runs
 * against the real clock.
 */
async function authorChain(): Promise<AuthoredChain> {
  const alice = keypairFromUri("//Alice");
  const accounts = Array.from(
    { length: ACCOUNTS },
    (_, i) => keypairFromSeed(blake2_256(new Uint8Array([i >> 8, i & 255]))),
  );
  return await withClient(async (client) => {
    let slot = slotAt(Date.now(), SLOT_MS) - BigInt(EMPTY_BLOCKS + 1 + TRANSFER_BLOCKS + 1);
    const sign = (signer: Keypair, nonce: number, dest: Keypair, value: bigint) =>
      signExtrinsic(
        runtime.encodeCall({
          pallet: "Balances",
          call: "transferKeepAlive",
          args: { dest: { tag: "Id", value: dest.publicKey }, value },
        }),
        signer,
        { era: IMMORTAL, nonce, tip: 0n },
        {
          specVersion: runtime.version.specVersion,
          transactionVersion: runtime.version.transactionVersion,
          genesisHash: client.genesisHash,
          eraBlockHash: client.genesisHash,
        },
      );
    const author = async (txs: Uint8Array[]): Promise<Block> => {
      slot++;
      const proposal = proposeBlock({
        client,
        parent: client.best,
        slot,
        timestampMs: slot * BigInt(SLOT_MS),
        author: alice,
        transactions: { ready: () => txs.map((bytes) => ({ hash: extrinsicHash(bytes), bytes })) },
      });
      if (proposal.included.length !== txs.length) {
        throw new Error(
          `Cannot author the benchmark chain: ${proposal.included.length} of ${txs.length} ` +
            `transactions included (${proposal.rejected[0]?.error.message ?? "block full"})`,
        );
      }
      await client.importOwnBlock(proposal.header, proposal.built);
      return { header: proposal.header, extrinsics: proposal.built.extrinsics };
    };

    const empty: Block[] = [];
    for (let i = 0; i < EMPTY_BLOCKS; i++) empty.push(await author([]));
    const funding = await author(accounts.map((to, i) => sign(alice, i, to, 100n * TOKEN)));
    const transfers: Block[] = [];
    for (let block = 0; block < TRANSFER_BLOCKS; block++) {
      transfers.push(
        await author(
          accounts.map((from, i) =>
            sign(from, block, accounts[(i * 7 + 1 + block) % ACCOUNTS], TOKEN / 100n)
          ),
        ),
      );
    }
    return { empty, funding, transfers };
  }, 1);
}

/** Imports `chain` into a fresh node; the seconds the empty and the transfer blocks took. */
async function importChain(chain: AuthoredChain): Promise<{ empty: number; transfers: number }> {
  return await withClient(async (client) => {
    const empty = await timed(async () => {
      for (const block of chain.empty) await client.importBlock(block);
    });
    await client.importBlock(chain.funding);
    const transfers = await timed(async () => {
      for (const block of chain.transfers) await client.importBlock(block);
    });
    const head = chain.transfers.at(-1)!.header;
    if (client.best.header.number !== head.number) {
      throw new Error("The imported chain did not become best");
    }
    return { empty, transfers };
  });
}

/** A dev chain client over a fresh temporary LevelDB, removed after `use`. */
async function withClient<T>(
  use: (client: ChainClient) => Promise<T>,
  verifierThreads?: number,
): Promise<T> {
  const path = await Deno.makeTempDir({ prefix: "sutantra-bench-import-" });
  try {
    const db = await ChainDatabase.open(path);
    try {
      const client = await ChainClient.open({
        db,
        spec: devSpec(),
        sealVerifier: new AuraVerifier(Date.now, SLOT_MS),
        verifierThreads,
      });
      try {
        return await use(client);
      } finally {
        await client.close();
      }
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(path, { recursive: true });
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

if (import.meta.main) console.table(await run());
