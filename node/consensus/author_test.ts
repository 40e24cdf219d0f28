/**
 * Slot authoring tells of the slots its key owned and did not author in.
 */
import { ok } from "node:assert/strict";
import { devSpec } from "../../chain-spec/presets.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { ChainClient } from "../chain/mod.ts";
import { ChainDatabase } from "../db/mod.ts";
import { AuraVerifier, BlockAuthor } from "./mod.ts";

const SLOT_MS = 100;

/** The dev chain (Alice owns every slot) with 100 ms slots. */
function fastDevSpec() {
  const spec = devSpec();
  const runtime = (spec.genesis as { runtime: Record<string, Record<string, unknown>> }).runtime;
  runtime.authorship.slotDurationMs = SLOT_MS;
  runtime.timestamp.minimumPeriodMs = SLOT_MS / 2;
  return spec;
}

async function until(what: string, holds: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a validator whose event loop stalls through its slots is told it missed them", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-author-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: fastDevSpec(),
    sealVerifier: new AuraVerifier(Date.now, SLOT_MS),
    verifierThreads: 1,
  });
  const missed: { slot: bigint; reason: string }[] = [];
  let authored = 0;
  const author = new BlockAuthor({
    client,
    key: keypairFromUri("//Alice"),
    slotDurationMs: SLOT_MS,
    transactions: { ready: () => [] },
    onAuthored: () => authored++,
    onSlotMissed: (slot, reason) => missed.push({ slot, reason }),
  });
  try {
    author.startSlots();
    await until("two blocks authored", () => authored >= 2);
    ok(missed.length === 0, `no slot missed while the node keeps up: ${JSON.stringify(missed)}`);
    const stalledUntil = Date.now() + 5 * SLOT_MS;
    while (Date.now() < stalledUntil) {
      // the event loop is blocked: no timer fires, no slot starts
    }
    await until("three slots told missed", () => missed.length >= 3);
    ok(missed.every((m) => m.reason === "the node was too busy to start it"), missed[0].reason);
    const slots = missed.map((m) => Number(m.slot));
    ok(slots.every((slot, i) => i === 0 || slot === slots[i - 1] + 1), `consecutive: ${slots}`);
  } finally {
    await author.stop();
    await client.close();
    await db.close();
    await Deno.remove(path, { recursive: true });
  }
});
