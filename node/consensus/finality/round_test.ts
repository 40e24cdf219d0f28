/**
 * One round's arithmetic: the prevote-GHOST, finality, the estimate and
 * completability as GRANDPA defines them, equivocators counted for every
 * block, and votes that cannot count.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Round, type Vote } from "./round.ts";
import { VoterSet } from "./voter_set.ts";
import { BlockTree, ChainView } from "./sim/chain.ts";
import { ref, vote } from "./_testing.ts";

const voters = new VoterSet(0, ["a", "b", "c", "d"]);

/** g ← b1 ← b2 ← b3, and a fork g ← f1 ← f2. */
function chain() {
  const tree = new BlockTree();
  const b1 = tree.add(tree.genesis, 0);
  const b2 = tree.add(b1, 0);
  const b3 = tree.add(b2, 0);
  const f1 = tree.add(tree.genesis, 1);
  const f2 = tree.add(f1, 1);
  const view = new ChainView(tree);
  for (const block of [b3, f2]) view.receive(block);
  return { view, g: tree.genesis, b1, b2, b3, f1, f2 };
}

Deno.test("the prevote-GHOST is the highest block three of four prevotes support", () => {
  const { view, g, b1, b2, b3, f1 } = chain();
  const round = new Round(1, voters, ref(g));
  round.import(vote("a", "prevote", b3), view);
  round.import(vote("b", "prevote", b2), view);
  assertEquals(round.state.prevoteGhost, undefined);
  round.import(vote("c", "prevote", f1), view);
  assertEquals(round.state.prevoteGhost, ref(g));
  round.import(vote("d", "prevote", b1), view);
  assertEquals(round.state.prevoteGhost, ref(b1));
});

Deno.test("precommits B2, B2, B2, F: B2 is final for whoever sees the three, and the estimate is B2 for all", () => {
  const { view, g, b2 } = chain();
  const prevoted = () => {
    const round = new Round(1, voters, ref(g));
    for (const v of ["a", "b", "c", "d"]) round.import(vote(v, "prevote", b2), view);
    return round;
  };
  // A node that saw the three precommits on B2 finalizes it.
  const first = prevoted();
  for (const v of ["a", "b", "c"]) first.import(vote(v, "precommit", b2), view);
  assertEquals(first.state.finalized, ref(b2));
  // A node that saw B2, B2 and F finalizes nothing above F, but its estimate
  // is still B2: B2 could have been finalized, so the next round builds on it.
  const other = prevoted();
  other.import(vote("a", "precommit", b2), view);
  other.import(vote("b", "precommit", b2), view);
  other.import(vote("d", "precommit", g), view);
  assertEquals(other.state.finalized, ref(g));
  assertEquals(other.state.estimate, ref(b2));
  assertEquals(other.state.completable, true);
});

Deno.test("a round is not completable while a child of the GHOST could still be finalized", () => {
  const { view, g, b2, b3 } = chain();
  const round = new Round(1, voters, ref(g));
  for (const v of ["a", "b", "c"]) round.import(vote(v, "prevote", b2), view);
  round.import(vote("d", "prevote", b3), view);
  assertEquals(round.state.prevoteGhost, ref(b2));
  round.import(vote("a", "precommit", b3), view);
  round.import(vote("b", "precommit", b2), view);
  round.import(vote("c", "precommit", b2), view);
  // B3, above the GHOST, could still be final: D's precommit and one
  // equivocation (which the set tolerates) would make three.
  assertEquals(round.state.finalized, ref(b2));
  assertEquals(round.state.estimate, ref(b2));
  assertEquals(round.state.completable, false);
  round.import(vote("d", "precommit", b2), view);
  assertEquals(round.state.completable, true);
});

Deno.test("the estimate drops below the GHOST once the precommits rule its tip out", () => {
  const { view, g, b1, b3, f1 } = chain();
  const round = new Round(1, voters, ref(g));
  for (const v of ["a", "b", "c", "d"]) round.import(vote(v, "prevote", b3), view);
  round.import(vote("a", "precommit", b3), view);
  round.import(vote("b", "precommit", b1), view);
  round.import(vote("c", "precommit", f1), view);
  // D may still precommit B3, with A: the estimate stays at the GHOST.
  assertEquals(round.state.estimate, ref(b3));
  round.import(vote("d", "precommit", b1), view);
  // B1 has three precommits; B2 and B3 at most two plus none left: B1 is the estimate.
  assertEquals(round.state.finalized, ref(b1));
  assertEquals(round.state.estimate, ref(b1));
  assertEquals(round.state.completable, true);
});

Deno.test("an equivocator counts for every block and its second vote is evidence", () => {
  const { view, g, b2, f2 } = chain();
  const round = new Round(1, voters, ref(g));
  for (const v of ["a", "b", "c", "d"]) round.import(vote(v, "prevote", b2), view);
  round.import(vote("a", "precommit", b2), view);
  round.import(vote("b", "precommit", b2), view);
  round.import(vote("d", "precommit", f2), view);
  assertEquals(round.state.finalized, ref(g));
  const outcome = round.import(vote("d", "precommit", b2), view);
  assertEquals(outcome.kind, "equivocation");
  assertEquals(round.state.finalized, ref(b2));
  // Both of D's precommits go into the justification; a third is ignored.
  assertEquals(round.finalizingPrecommits().length, 4);
  assertEquals(round.import(vote("d", "precommit", g), view).kind, "repeat");
});

Deno.test("a vote off the base's chain counts as participation with no weight; unknown blocks wait; strangers are refused", () => {
  const { view, g, b1, f1 } = chain();
  const round = new Round(1, voters, ref(b1));
  assertEquals(round.import(vote("a", "prevote", f1), view).kind, "counted");
  assertEquals(round.import(vote("b", "prevote", g), view).kind, "counted");
  assertEquals(round.participants("prevote"), 2);
  for (const v of ["c", "d"]) round.import(vote(v, "prevote", b1), view);
  // Four prevoted, but only two on the base's chain: no GHOST, not even the base.
  assertEquals(round.state.prevoteGhost, undefined);
  const unknown: Vote = { ...vote("a", "prevote", f1), target: { hash: "nowhere", number: 9 } };
  assertEquals(round.import(unknown, view).kind, "unknown");
  assertEquals(round.import(vote("mallory", "prevote", b1), view).kind, "not-voter");
  assertEquals(round.participants("prevote"), 4);
});
