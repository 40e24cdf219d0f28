/**
 * The voter's rules, each shown by the attack it stops: a longer fork
 * after a round that may have finalized a block, a GHOST off the last
 * estimate, a restart, forged commits and catch-ups, a lagging voter.
 * Voters here are driven by hand; the simulator drives them at random.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { Vote } from "./round.ts";
import type { Stage } from "./vote_graph.ts";
import { VoterSet } from "./voter_set.ts";
import { type Commit, Voter, type VoterAction, type VoterRecord } from "./voter.ts";
import { BlockTree, ChainView } from "./sim/chain.ts";
import { ref, vote } from "./_testing.ts";

const T = 100;
const set = new VoterSet(0, ["a", "b", "c", "z"]);

/** g ← b1 ← b2 and g ← y1; Y1's children Y2 ← Y3 (a longer fork) show up later. */
function world() {
  const tree = new BlockTree();
  const b1 = tree.add(tree.genesis, 0);
  const b2 = tree.add(b1, 0);
  const y1 = tree.add(tree.genesis, 3);
  const y2 = tree.add(y1, 3);
  const y3 = tree.add(y2, 3);
  const view = new ChainView(tree);
  view.receive(b2);
  view.receive(y1);
  return { tree, view, g: tree.genesis, b1, b2, y1, y2, y3 };
}

function voterB(view: ChainView, record?: VoterRecord, now = 0): Voter {
  return new Voter({
    set,
    chain: view,
    timing: { gossipMs: T },
    finalized: { hash: "g", number: 0 },
    key: { id: "b", sign: () => new Uint8Array(0) },
    record,
    now,
  });
}

/** The targets of B's own votes of `stage` among `actions` (repeats included). */
const sent = (actions: VoterAction[], stage: Stage, round?: number) =>
  actions.flatMap((a) =>
    a.kind === "send" && a.message.kind === "vote" && a.message.vote.stage === stage &&
      a.message.vote.voter === "b" && (round === undefined || a.message.round === round)
      ? [a.message.vote.target.hash]
      : []
  );

/**
 * Round 1 as voter B sees it: everyone prevoted B2; B and C precommitted
 * B2, Z precommitted Y1 (to B; to A it said B2, so A finalized B2). B
 * finalizes nothing, but B2 may be final: its estimate is B2.
 */
function afterRoundOne() {
  const w = world();
  const b = voterB(w.view);
  for (const v of ["a", "c", "z"]) b.onVote(1, vote(v, "prevote", w.b2), 0);
  b.tick(4 * T);
  b.onVote(1, vote("c", "precommit", w.b2), 4 * T);
  b.onVote(1, vote("z", "precommit", w.y1), 4 * T);
  return { ...w, b };
}

Deno.test("after a round that may have finalized B2, a longer fork does not get the next prevote", () => {
  const { b, view, y3, b2 } = afterRoundOne();
  assertEquals(b.round, 2);
  assertEquals(b.finalized.number, 0);
  b.takeActions();
  view.receive(y3);
  b.blocksImported(4 * T);
  b.tick(6 * T);
  // The best chain is Y3's now, but the prevote must contain E(1) = B2.
  assertEquals(sent(b.takeActions(), "prevote", 2), [b2.hash]);
});

Deno.test("a voter whose prevote-GHOST is off the last estimate does not precommit", () => {
  const { b, view, y3 } = afterRoundOne();
  view.receive(y3);
  b.blocksImported(4 * T);
  for (const v of ["a", "c", "z"]) b.onVote(2, vote(v, "prevote", y3), 5 * T);
  b.tick(20 * T);
  // Three prevotes put the GHOST on Y3, off B2's chain: no precommit, ever.
  assertEquals(sent(b.takeActions(), "precommit", 2), []);
  assertEquals(b.report().phase, "prevoted");
});

Deno.test("a vote is persisted before it is sent, and a restarted voter resends it and never votes otherwise", () => {
  const { view, g, b2, y3 } = world();
  const b = voterB(view);
  b.tick(2 * T);
  const actions = b.takeActions();
  const persisted = actions.findIndex((a) => a.kind === "persist" && a.record.mine.length === 1);
  const prevote = actions.findIndex((a) =>
    a.kind === "send" && a.message.kind === "vote" && a.message.vote.voter === "b"
  );
  ok(persisted >= 0 && persisted < prevote, "the record with the vote comes first");
  const record = (actions[persisted] as Extract<VoterAction, { kind: "persist" }>).record;
  assertEquals(record.mine.map((v) => v.target.hash), [b2.hash]);

  // Killed; by the time it restarts a longer fork is its best chain.
  view.receive(y3);
  const restarted = voterB(view, record, 10 * T);
  const again = restarted.takeActions();
  assertEquals(sent(again, "prevote"), [b2.hash]);
  restarted.tick(30 * T);
  for (const v of ["a", "c"]) restarted.onVote(1, vote(v, "prevote", y3), 31 * T);
  assertEquals(sent(restarted.takeActions(), "prevote").filter((h) => h !== b2.hash), []);
  assertEquals(restarted.round, 1);
  void g;
});

Deno.test("a restarted voter keeps the prevotes its precommit rests on: an equivocator's, seen by it alone, still completes the round", () => {
  const { view, g, b2, y1 } = world();
  // Z prevotes B2 to B and Y1 to the others. B sees the GHOST on B2 and precommits it.
  const b = voterB(view);
  for (const [v, target] of [["a", b2], ["z", b2], ["z", y1]] as const) {
    b.onVote(1, vote(v, "prevote", target), T);
  }
  b.tick(4 * T);
  const actions = b.takeActions();
  assertEquals(sent(actions, "precommit"), [b2.hash]);
  const record = actions.flatMap((a) => a.kind === "persist" ? [a.record] : []).at(-1)!;

  // A saw C prevote Y1 and no Z: its GHOST is genesis, and it precommits that, as C does.
  const a = new Voter({
    set,
    chain: view,
    timing: { gossipMs: T },
    finalized: { hash: "g", number: 0 },
    key: { id: "a", sign: () => new Uint8Array(0) },
    now: 0,
  });
  a.onVote(1, vote("b", "prevote", b2), T);
  a.onVote(1, vote("c", "prevote", y1), T);
  a.tick(4 * T);
  a.onVote(1, vote("c", "precommit", g), 4 * T);
  a.onVote(1, vote("b", "precommit", b2), 4 * T);
  // B2 could still be final (B, a slow Z and an equivocation): the round waits for Z, who is silent.
  a.tick(30 * T);
  assertEquals(a.round, 1);

  // B is killed and restarts: Z's prevotes come back with its own, and a stalled round shares them.
  const restarted = voterB(view, record, 10 * T);
  assertEquals(restarted.report().best.prevoted.toSorted(), ["a", "b", "z"]);
  restarted.takeActions();
  restarted.tick(18 * T);
  for (const action of restarted.takeActions()) {
    if (action.kind === "send" && action.message.kind === "vote") {
      a.onVote(action.message.round, action.message.vote, 31 * T);
    }
  }
  // Z counts for every block: the GHOST is B2, nothing above it can be final, round 1 is complete.
  assertEquals(a.round, 2);
});

Deno.test("commits finalize only with a supermajority on the target or above it", () => {
  const { view, b1, b2, y1 } = world();
  const b = voterB(view);
  const commit = (precommits: Vote[]): Commit => ({ round: 7, target: ref(b1), precommits });
  assertEquals(
    b.onCommit(commit([vote("a", "precommit", b2), vote("c", "precommit", b1)]), 0),
    "invalid",
  );
  assertEquals(
    b.onCommit(commit(["a", "c", "z"].map((v) => vote(v, "precommit", v === "z" ? y1 : b2))), 0),
    "invalid",
  );
  assertEquals(
    b.onCommit(
      commit([
        vote("a", "precommit", b2),
        vote("c", "precommit", b1),
        vote("mallory", "precommit", b1),
      ]),
      0,
    ),
    "invalid",
  );
  assertEquals(b.finalized.number, 0);
  assertEquals(
    b.onCommit(commit(["a", "c", "z"].map((v) => vote(v, "precommit", b2))), 0),
    "finalized",
  );
  assertEquals(b.finalized, ref(b1));
  assertEquals(b.takeActions().filter((a) => a.kind === "finalize").length, 1);
});

Deno.test("a voter two rounds behind asks a neighbour for a catch-up, refuses a forged one and jumps on a real one", () => {
  const { view, g, b2 } = world();
  const b = voterB(view);
  b.takeActions();
  b.onNeighbour("z", { setId: 0, round: 9, finalized: 0 }, 10);
  assertEquals(b.takeActions().filter((a) => a.kind === "catch-up"), [
    { kind: "catch-up", peer: "z", setId: 0, round: 1 },
  ]);
  // Z answers with its own votes only: no supermajority. It is not asked again.
  const forged = {
    setId: 0,
    round: 8,
    base: ref(g),
    prevotes: [vote("z", "prevote", b2)],
    precommits: [vote("z", "precommit", b2)],
  };
  assertEquals(b.onCatchUp("z", forged, 20), "bad");
  b.onNeighbour("z", { setId: 0, round: 9, finalized: 0 }, 30);
  assertEquals(b.takeActions().filter((a) => a.kind === "catch-up"), []);
  b.onNeighbour("a", { setId: 0, round: 9, finalized: 0 }, 40);
  assertEquals(b.takeActions().filter((a) => a.kind === "catch-up").length, 1);
  const real = {
    ...forged,
    prevotes: ["a", "c", "z"].map((v) => vote(v, "prevote", b2)),
    precommits: ["a", "c", "z"].map((v) => vote(v, "precommit", b2)),
  };
  assertEquals(b.onCatchUp("a", real, 50), "good");
  assertEquals(b.round, 9);
  assertEquals(b.finalized, ref(b2));
  const actions = b.takeActions();
  const record = actions.find((a) => a.kind === "persist");
  assertEquals(record?.kind === "persist" && record.record.round, 9);
});

Deno.test("the round's primary proposes the last estimate when it was not finalized", () => {
  const { b, b2 } = afterRoundOne();
  // Voters sort as a, b, c, z: round 2's primary is c; a voter that is the
  // primary of its round sends the hint, the others do not.
  assertEquals(
    b.takeActions().filter((a) => a.kind === "send" && a.message.kind === "primary"),
    [],
  );
  const c = new Voter({
    set,
    chain: afterRoundOne().view,
    timing: { gossipMs: T },
    finalized: { hash: "g", number: 0 },
    key: { id: "c", sign: () => new Uint8Array(0) },
    now: 0,
  });
  for (const v of ["a", "b", "z"]) c.onVote(1, vote(v, "prevote", b2), 0);
  c.tick(4 * T);
  c.onVote(1, vote("b", "precommit", b2), 4 * T);
  c.onVote(1, vote("z", "precommit", afterRoundOne().y1), 4 * T);
  const proposals = c.takeActions().flatMap((a) =>
    a.kind === "send" && a.message.kind === "primary" ? [a.message.proposal.target.hash] : []
  );
  assertEquals(proposals, [b2.hash]);
});
