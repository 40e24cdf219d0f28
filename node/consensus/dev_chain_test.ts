/**
 * One validator, in process, on LevelDB: authoring, import with seal checks,
 * finality, and a restart that resumes where it was.
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { devSpec, TOKEN } from "../../chain-spec/presets.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { IMMORTAL } from "../../runtime/extrinsic/era.ts";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../../runtime/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { freeBalance } from "../../pallets/balances/mod.ts";
import { ChainClient, ImportError } from "../chain/mod.ts";
import { ChainDatabase } from "../db/mod.ts";
import { AuraVerifier, BlockAuthor, sealHeader } from "./mod.ts";
import { decodeJustification } from "../../runtime/consensus/grandpa.ts";
import { createLogger } from "../log.ts";
import { FinalityService } from "./finality/mod.ts";

const alice = keypairFromUri("//Alice");
const bob = keypairFromUri("//Bob");
const SLOT_MS = 6000;

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function openNode(path: string, pending: Uint8Array[] = []) {
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(Date.now, SLOT_MS),
    verifierThreads: 1,
  });
  const author = new BlockAuthor({
    client,
    key: alice,
    slotDurationMs: SLOT_MS,
    transactions: {
      ready: () => pending.splice(0).map((bytes) => ({ hash: extrinsicHash(bytes), bytes })),
    },
  });
  const finality = await FinalityService.start({
    client,
    db,
    key: alice,
    log: createLogger("error"),
  });
  const close = async () => {
    await author.stop();
    await finality.stop();
    await client.close();
    await db.close();
  };
  return { db, client, author, finality, close };
}

function transfer(client: ChainClient, nonce: number): Uint8Array {
  return signExtrinsic(
    runtime.encodeCall({
      pallet: "Balances",
      call: "transferKeepAlive",
      args: { dest: { tag: "Id", value: bob.publicKey }, value: 5n * TOKEN },
    }),
    alice,
    { era: IMMORTAL, nonce, tip: 0n },
    {
      specVersion: runtime.version.specVersion,
      transactionVersion: runtime.version.transactionVersion,
      genesisHash: client.genesisHash,
      eraBlockHash: client.genesisHash,
    },
  );
}

Deno.test("a dev validator authors, finalizes, moves balances and resumes after a restart", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-dev-" });
  const pending: Uint8Array[] = [];
  let node = await openNode(path, pending);
  try {
    const genesisState = node.client.stateAt(node.client.best.header);
    const bobBefore = freeBalance(genesisState, bob.publicKey);
    pending.push(transfer(node.client, 0));
    const first = await node.author.authorNow();
    ok(first?.route, "the authored block becomes best");
    await node.author.authorNow();
    await node.author.authorNow();
    assertEquals(node.client.best.header.number, 3);
    await until("block 3 final", () => node.client.finalized.header.number === 3);
    const state = node.client.stateAt(node.client.finalized.header);
    assertEquals(freeBalance(state, bob.publicKey) - bobBefore, 5n * TOKEN);

    const justification = decodeJustification(
      (await node.client.justification(node.client.finalized.hash))!,
    );
    assertEquals(justification.commit.targetNumber, 3);
    assertEquals(justification.commit.precommits.map((v) => toHex(v.id)), [
      toHex(alice.publicKey),
    ]);
    assertEquals(toHex((await node.client.hashAt(1))!), toHex(first!.block.hash));

    const { hash, header } = node.client.finalized;
    await node.close();
    node = await openNode(path, pending);
    assertEquals(toHex(node.client.finalized.hash), toHex(hash));
    assertEquals(toHex(node.client.best.header.stateRoot), toHex(header.stateRoot));
    await node.author.authorNow();
    await until("block 4 final", () => node.client.finalized.header.number === 4);
  } finally {
    await node.close();
    await Deno.remove(path, { recursive: true });
  }
});

Deno.test("a second node imports the validator's blocks and refuses a forged seal", async () => {
  const pathA = await Deno.makeTempDir({ prefix: "sutantra-a-" });
  const pathB = await Deno.makeTempDir({ prefix: "sutantra-b-" });
  const a = await openNode(pathA);
  const dbB = await ChainDatabase.open(pathB);
  const b = await ChainClient.open({
    db: dbB,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(Date.now, SLOT_MS),
    verifierThreads: 1,
  });
  try {
    const made = (await a.author.authorNow())!;
    const extrinsics = (await a.client.body(made.block.hash))!;
    const forged = sealHeader(
      { ...made.block.header, digest: made.block.header.digest.slice(0, -1) },
      bob,
    );
    await rejects(
      b.importBlock({ header: forged, extrinsics }),
      (e) => e instanceof ImportError && e.code === "IMPORT_ERROR_WRONG_AUTHOR",
    );
    const imported = await b.importBlock({ header: made.block.header, extrinsics });
    assertEquals(toHex(imported!.block.hash), toHex(made.block.hash));
    assertEquals(toHex(b.best.header.stateRoot), toHex(made.block.header.stateRoot));
    await rejects(
      b.importBlock({ header: { ...made.block.header, number: 5 }, extrinsics }),
      (e) => e instanceof ImportError,
    );
  } finally {
    await a.close();
    await b.close();
    await dbB.close();
    await Deno.remove(pathA, { recursive: true });
    await Deno.remove(pathB, { recursive: true });
  }
});
