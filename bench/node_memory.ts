/**
 * `node.memory`: what a node holds on a chain of 10k and of 100k blocks,
 * with the state in LevelDB behind the default 64 MiB trie cache and 256
 * finalized states kept, or with `SUTANTRA_BENCH_PRUNING=archive` every
 * state (the names then say `.archive`).
 *
 * The chain is built the way a node builds it, in this process: //Alice
 * proposes each block (a timestamp, two transfers between 64 funded
 * accounts and one to a new account: 100k accounts by the end), the chain
 * client stores it, and every 16th block is finalized (GRANDPA finalizes in
 * such steps); `node.build.*` is its speed and `node.disk.*` the database's
 * size. At 10k and at 100k blocks a real node process
 * (`--chain dev --alice --seal manual`) opens a copy of the database:
 * `node.start.*` is the time until it answers RPC, and `node.memory.*` its
 * resident memory once it has authored (and finalized) 10,000 more blocks,
 * enough for its trie cache to fill and turn over. Target: < 300 MiB, and
 * flat from 10k to 100k.
 *
 * @module
 */
import { devSpec, SLOT_MS, TOKEN } from "../chain-spec/presets.ts";
import { type Keypair, keypairFromSeed, keypairFromUri } from "../runtime/crypto/mod.ts";
import { IMMORTAL } from "../runtime/extrinsic/era.ts";
import { extrinsicHash, signExtrinsic } from "../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../runtime/mod.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { openChainAt } from "../node/chain/_testing.ts";
import { proposeBlock, slotAt } from "../node/consensus/mod.ts";
import { type KeepBlocks, parseKeepBlocks } from "../node/db/mod.ts";
import { NodeProcess } from "../tests/_node.ts";
import { rssBytes } from "./_proc.ts";
import type { BenchResult } from "./_result.ts";

const BLOCKS = 100_000;
const CHECKPOINTS = [10_000, 100_000];
const SENDERS = 64;
const FINALITY_STEP = 16;
const NODE_BLOCKS = 10_000;
const MIB = 1024 * 1024;
const RSS_CEILING_MIB = 300;

/** Builds the chain, and at each checkpoint measures the building process and a node on a copy of it. */
export async function run(): Promise<BenchResult[]> {
  const states = parseKeepBlocks(
    Deno.env.get("SUTANTRA_BENCH_PRUNING") ?? "256",
    "SUTANTRA_BENCH_PRUNING",
  );
  const label = states === "archive" ? ".archive" : "";
  const basePath = await Deno.makeTempDir({ prefix: "sutantra-bench-memory-" });
  const chainDir = `chains/${devSpec().id}`;
  const results: BenchResult[] = [];
  try {
    await buildChain(`${basePath}/build/${chainDir}/db`, states, async (blocks, seconds) => {
      const at = `${blocks / 1000}k`;
      const rss = Deno.memoryUsage().rss / MIB;
      const disk = await diskBytes(`${basePath}/build/${chainDir}/db`) / MIB;
      results.push(
        { name: `node.build${label}.${at}`, value: round(seconds), unit: "blocks/s" },
        { name: `node.memory.build${label}.${at}`, value: round(rss), unit: "MiB" },
        { name: `node.disk${label}.${at}`, value: round(disk), unit: "MiB" },
      );
      // A copy, so the node's own blocks (at today's slots) do not end up in the chain still being built.
      const copy = `${basePath}/node`;
      await copyDir(`${basePath}/build`, copy);
      try {
        results.push(...await measureNode(copy, blocks, states, `${label}.${at}`));
      } finally {
        await Deno.remove(copy, { recursive: true });
      }
    });
    return results;
  } finally {
    await Deno.remove(basePath, { recursive: true });
  }
}

/**
 * Builds the chain at `path`. At each checkpoint the database is closed for
 * `checkpoint` (told the blocks so far and the blocks a second since the
 * last one) to read, and opened again.
 */
async function buildChain(
  path: string,
  states: KeepBlocks,
  checkpoint: (blocks: number, blocksPerSecond: number) => Promise<void>,
): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  let chain = await openChainAt(path, { states, blocks: "archive" });
  try {
    const genesisHash = chain.client.genesisHash;
    const alice = keypairFromUri("//Alice");
    const senders = Array.from({ length: SENDERS }, (_, i) => account(i));
    const nonces = new Map<Keypair, number>();
    const transfer = (from: Keypair, to: Uint8Array, value: bigint) => {
      const nonce = nonces.get(from) ?? 0;
      nonces.set(from, nonce + 1);
      const bytes = signExtrinsic(
        runtime.encodeCall({
          pallet: "Balances",
          call: "transferKeepAlive",
          args: { dest: { tag: "Id", value: to }, value },
        }),
        from,
        { era: IMMORTAL, nonce, tip: 0n },
        {
          specVersion: runtime.version.specVersion,
          transactionVersion: runtime.version.transactionVersion,
          genesisHash,
          eraBlockHash: genesisHash,
        },
      );
      return { hash: extrinsicHash(bytes), bytes };
    };
    let slot = slotAt(Date.now(), SLOT_MS) - BigInt(BLOCKS + 1);
    let started = performance.now();
    let since = 0;
    for (let n = 1; n <= BLOCKS; n++) {
      const txs = n === 1 ? senders.map((s) => transfer(alice, s.publicKey, 10_000n * TOKEN)) : [
        transfer(senders[n % SENDERS], senders[(n + 1) % SENDERS].publicKey, TOKEN),
        transfer(senders[(n + 7) % SENDERS], senders[(n + 3) % SENDERS].publicKey, TOKEN),
        transfer(senders[(n + 13) % SENDERS], account(SENDERS + n).publicKey, TOKEN),
      ];
      slot++;
      const proposal = proposeBlock({
        client: chain.client,
        parent: chain.client.best,
        slot,
        timestampMs: slot * BigInt(SLOT_MS),
        author: alice,
        transactions: { ready: () => txs },
      });
      if (proposal.included.length !== txs.length) {
        throw new Error(`Block #${n} left out transactions: ${proposal.rejected[0]?.error}`);
      }
      const { block } = await chain.client.importOwnBlock(proposal.header, proposal.built);
      if (n % FINALITY_STEP === 0) await chain.client.finalize(block.hash);
      if (CHECKPOINTS.includes(n)) {
        const blocksPerSecond = (n - since) / ((performance.now() - started) / 1000);
        await chain.close();
        await checkpoint(n, blocksPerSecond);
        chain = await openChainAt(path, { states, blocks: "archive" });
        started = performance.now();
        since = n;
      }
    }
  } finally {
    await chain.close();
  }
}

/**
 * A node on a copy of the chain at `blocks`: how long it takes to answer
 * RPC, and its resident memory once it has authored `NODE_BLOCKS` more.
 */
async function measureNode(
  basePath: string,
  blocks: number,
  states: KeepBlocks,
  label: string,
): Promise<BenchResult[]> {
  const started = performance.now();
  const node = new NodeProcess([
    "--chain",
    "dev",
    "--alice",
    "--seal",
    "manual",
    "--base-path",
    basePath,
    "--state-pruning",
    String(states),
  ]);
  try {
    await node.ready();
    const startSeconds = (performance.now() - started) / 1000;
    for (let i = 0; i < NODE_BLOCKS; i++) await node.rpc("engine_createBlock", [true, true]);
    const best = await node.rpc<{ number: string }>("chain_getHeader");
    if (Number(best.number) !== blocks + NODE_BLOCKS) {
      throw new Error(`The node is at block ${Number(best.number)}, not ${blocks + NODE_BLOCKS}`);
    }
    const rss = await rssBytes(node.pid) / MIB;
    return [
      { name: `node.start${label}`, value: round(startSeconds), unit: "s" },
      {
        name: `node.memory${label}`,
        value: round(rss),
        unit: "MiB",
        ceiling: RSS_CEILING_MIB,
        ratio: round(rss / RSS_CEILING_MIB),
      },
    ];
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${node.output.slice(-2000)}`);
  } finally {
    await node.stop();
  }
}

/** Copies the directory tree at `from` to `to`. */
async function copyDir(from: string, to: string): Promise<void> {
  const { success, stderr } = await new Deno.Command("cp", {
    args: ["-r", from, to],
    stderr: "piped",
  })
    .output();
  if (!success) throw new Error(`cp -r ${from} ${to}: ${new TextDecoder().decode(stderr)}`);
}

function account(i: number): Keypair {
  return keypairFromSeed(blake2_256(new TextEncoder().encode(`bench-account-${i}`)));
}

/** Bytes of the files under `path`. */
async function diskBytes(path: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(path)) {
    const full = `${path}/${entry.name}`;
    total += entry.isDirectory ? await diskBytes(full) : (await Deno.stat(full)).size;
  }
  return total;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

if (import.meta.main) console.table(await run());
