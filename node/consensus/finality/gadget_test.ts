/**
 * What the gadget makes of votes from the network, on a one-validator dev
 * chain with no blocks: Alice's votes of round 1 count, of round 2 wait, of
 * round 3 and later say this node is behind; a later set's cannot be checked;
 * a non-voter's and a past set's are ignored; a forged one is invalid.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { devSpec } from "../../../chain-spec/presets.ts";
import { keypairFromUri } from "../../../runtime/crypto/mod.ts";
import { ChainClient } from "../../chain/mod.ts";
import { ChainDatabase } from "../../db/mod.ts";
import { AuraVerifier } from "../aura.ts";
import { FinalityGadget, signVote, type Vote, type VoteOutcome } from "./mod.ts";

const alice = keypairFromUri("//Alice");
const mallory = keypairFromUri("//Mallory");

Deno.test("the gadget counts, queues, flags as behind, ignores or refuses votes", async () => {
  const path = await Deno.makeTempDir({ prefix: "sutantra-gadget-" });
  const db = await ChainDatabase.open(path);
  const client = await ChainClient.open({
    db,
    spec: devSpec(),
    sealVerifier: new AuraVerifier(Date.now, 6000),
    verifierThreads: 1,
  });
  const gadget = await FinalityGadget.start({ client, db });
  try {
    const { setId: set, round: first } = gadget.position;
    assertEquals(first, 1n);
    const vote = (round: bigint, setId = set): Vote => ({
      stage: { tag: "Prevote" },
      targetHash: client.best.hash,
      targetNumber: 0,
      round,
      setId,
    });
    const outcome = (v: Vote, by = alice): VoteOutcome =>
      gadget.onVote(signVote(v, by, client.genesisHash));

    assertEquals(outcome(vote(1n)), "accepted");
    assertEquals(outcome(vote(2n)), "accepted");
    assertEquals(outcome(vote(3n)), "behind");
    assertEquals(outcome(vote(40n)), "behind");
    assertEquals(outcome(vote(1n, set + 1n)), "later-set");
    assertEquals(outcome(vote(1n, set - 1n)), "ignored");
    assertEquals(outcome(vote(1n), mallory), "ignored");

    const forged = signVote(vote(1n), mallory, client.genesisHash);
    assertEquals(gadget.onVote({ ...forged, voter: alice.publicKey }), "invalid");
    const otherChain = signVote(vote(1n), alice, new Uint8Array(32));
    assertEquals(gadget.onVote(otherChain), "invalid");
  } finally {
    await gadget.stop();
    await client.close();
    await db.close();
    await Deno.remove(path, { recursive: true });
  }
});
