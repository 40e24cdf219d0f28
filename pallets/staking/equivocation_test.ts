import assert from "node:assert/strict";
import {
  blockHash,
  type DigestItem,
  encodeHeader,
  type Header,
} from "../../runtime/block/header.ts";
import { encode } from "../../runtime/codec/types.ts";
import {
  type GrandpaEquivocationProof,
  localizedPayload,
  messageType,
  type VoteTarget,
} from "../../runtime/consensus/grandpa.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { assertEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { authoritySetId, authorshipStorage } from "../authorship/mod.ts";
import { totalIssuance } from "../balances/mod.ts";
import { keysArgs, ledger, stakingConfig, toEra, TOKEN, validatorStaker } from "./_mock.ts";
import { currentValidators, stakingStorage as storage } from "./mod.ts";

const { aliceStash, bobStash } = dev;

/** Alice's and Bob's stashes validating; 10% of the active bond slashed per offence. */
function newExt(): TestExt {
  return new TestExt({
    staking: stakingConfig({
      stakers: [
        validatorStaker(aliceStash, dev.alice, 100_000n * TOKEN),
        validatorStaker(bobStash, dev.bob, 50_000n * TOKEN),
      ],
    }),
  });
}

/** Charlie's `reportEquivocation(proof)` fails with `error` and changes nothing. */
function refusedReport(ext: TestExt, proof: Record<string, unknown>, error: string): void {
  assertNoop(ext, "Staking", "reportEquivocation", proof, dev.charlie, error);
}

function slotDigest(slot: bigint): DigestItem {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, slot, true);
  return { tag: "PreRuntime", value: [utf8("aura"), bytes] };
}

/** A header for `slot`, sealed by `signer` over its pre-seal hash. */
function sealedHeader(signer: Keypair, slot: bigint, stateRootByte: number): Uint8Array {
  const header: Header = {
    parentHash: new Uint8Array(32).fill(1),
    number: 7,
    stateRoot: new Uint8Array(32).fill(stateRootByte),
    extrinsicsRoot: new Uint8Array(32).fill(3),
    digest: [slotDigest(slot)],
  };
  const signature = signer.sign(blockHash(header));
  return encodeHeader({
    ...header,
    digest: [...header.digest, { tag: "Seal", value: [utf8("aura"), signature] }],
  });
}

const blocks = (first: Uint8Array, second: Uint8Array, offender = dev.alice) => ({
  proof: { tag: "Blocks", value: { offender: offender.publicKey, first, second } },
});

Deno.test("reportEquivocation() with two blocks for one slot slashes, chills and disables", () => {
  const ext = newExt();
  const issuance = totalIssuance(ext.state);
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  const slash = 10_000n * TOKEN;
  assert.equal(ledger(ext, aliceStash).active, 90_000n * TOKEN);
  assert.equal(ledger(ext, aliceStash).total, 90_000n * TOKEN);
  assert.equal(totalIssuance(ext.state), issuance - slash);
  assert.equal(storage.Validators.contains(ext.state, aliceStash.publicKey), false);
  assert.equal(storage.Disabled.get(ext.state, aliceStash.publicKey), 0);
  assertEvent(ext, "Staking", "Slashed", { stash: aliceStash.publicKey, amount: slash });
  assertEvent(ext, "Staking", "OffenceReported", {
    offender: aliceStash.publicKey,
    kind: { tag: "BlockEquivocation" },
  });
  // Disabled and chilled: Bob alone is elected next, even if Alice validates again.
  assert(
    ext.apply("Staking", "validate", {
      prefs: { commissionPerbill: 0, blocked: false },
    }, aliceStash).ok,
  );
  toEra(ext, 1);
  assert.deepEqual(currentValidators(ext.state), [bobStash.publicKey]);
  assert.equal(storage.Disabled.contains(ext.state, aliceStash.publicKey), false);
});

Deno.test("reportEquivocation() of the same offence twice fails", () => {
  const ext = newExt();
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  const again = blocks(sealedHeader(dev.alice, 42n, 9), sealedHeader(dev.alice, 42n, 7));
  assertNoop(
    ext,
    "Staking",
    "reportEquivocation",
    again,
    dev.dave,
    "Staking.DuplicateOffenceReport",
  );
});

Deno.test("reportEquivocation() rejects forged and non-conflicting block proofs", () => {
  const ext = newExt();
  const a = sealedHeader(dev.alice, 42n, 7);
  const cases = [
    // The second header is sealed by another key.
    blocks(a, sealedHeader(dev.charlie, 42n, 8)),
    // Both sealed by //Eve, but named as //Alice's.
    blocks(sealedHeader(dev.eve, 42n, 7), sealedHeader(dev.eve, 42n, 8)),
    // Both sealed by //Alice, but named as //Bob's.
    blocks(a, sealedHeader(dev.alice, 42n, 8), dev.bob),
    // Different slots.
    blocks(a, sealedHeader(dev.alice, 43n, 8)),
    // The same block twice.
    blocks(a, a),
    // Not a header.
    blocks(a, new Uint8Array([1, 2, 3])),
    // A tampered header: its seal no longer matches.
    blocks(a, Uint8Array.from(a, (b, i) => (i === 40 ? b ^ 1 : b))),
  ];
  for (const proof of cases) {
    refusedReport(ext, proof, "Staking.InvalidEquivocationProof");
  }
});

Deno.test("reportEquivocation() of two blocks sealed by a key that is no validator's fails: OffenderNotValidator", () => {
  const proof = blocks(sealedHeader(dev.eve, 42n, 7), sealedHeader(dev.eve, 42n, 8), dev.eve);
  assertNoop(
    newExt(),
    "Staking",
    "reportEquivocation",
    proof,
    dev.charlie,
    "Staking.OffenderNotValidator",
  );
});

Deno.test("reportEquivocation() needs a signed reporter", () => {
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assertNoop(newExt(), "Staking", "reportEquivocation", proof, "none", "BadOrigin");
});

// --- votes: GRANDPA's equivocation proof ---------------------------------------

const SET_ID = 1n;
const ROUND = 3n;

type Stage = "Prevote" | "Precommit";

const target = (byte: number, number = 9): VoteTarget => ({
  targetHash: new Uint8Array(32).fill(byte),
  targetNumber: number,
});

/** `vote` of `stage` signed by `signer` over GRANDPA's payload for `round` and `setId`. */
function signed(
  signer: Keypair,
  stage: Stage,
  vote: VoteTarget,
  round = ROUND,
  setId = SET_ID,
): [VoteTarget, Uint8Array] {
  return [vote, signer.sign(localizedPayload({ tag: stage, value: vote }, round, setId))];
}

/** The `reportEquivocation` args: `identity`'s two votes of `stage` in round 3 of set 1. */
function votes(
  identity: Keypair,
  stage: Stage,
  first: [VoteTarget, Uint8Array],
  second: [VoteTarget, Uint8Array],
  setId = SET_ID,
) {
  const proof: GrandpaEquivocationProof = {
    setId,
    equivocation: {
      tag: stage,
      value: { roundNumber: ROUND, identity: identity.publicKey, first, second },
    },
  };
  return { proof: { tag: "Votes", value: proof } };
}

/** Bob's two precommits for blocks `a` and `b`, honestly signed. */
const precommits = (a: number, b: number, setId = SET_ID) =>
  votes(
    dev.bob,
    "Precommit",
    signed(dev.bob, "Precommit", target(a), ROUND, setId),
    signed(dev.bob, "Precommit", target(b), ROUND, setId),
    setId,
  );

Deno.test("reportEquivocation() with two precommits in one round slashes the validator once", () => {
  const ext = newExt();
  ext.nextBlock();
  assert(ext.apply("Staking", "reportEquivocation", precommits(1, 2), dev.charlie).ok);
  assert.equal(ledger(ext, bobStash).active, 45_000n * TOKEN);
  assertEvent(ext, "Staking", "OffenceReported", {
    offender: bobStash.publicKey,
    kind: { tag: "VoteEquivocation" },
  });
  // Other votes of the same round and stage are the same offence.
  assertNoop(
    ext,
    "Staking",
    "reportEquivocation",
    precommits(3, 1),
    dev.dave,
    "Staking.DuplicateOffenceReport",
  );
});

Deno.test("reportEquivocation() with two prevotes that differ in the target number alone slashes", () => {
  const ext = newExt();
  ext.nextBlock();
  const proof = votes(
    dev.alice,
    "Prevote",
    signed(dev.alice, "Prevote", target(1, 9)),
    signed(dev.alice, "Prevote", target(1, 10)),
  );
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  assert.equal(ledger(ext, aliceStash).active, 90_000n * TOKEN);
});

Deno.test("reportEquivocation() refuses two identical votes: voting twice for one block is no offence", () => {
  const ext = newExt();
  ext.nextBlock();
  assertNoop(
    ext,
    "Staking",
    "reportEquivocation",
    precommits(1, 1),
    dev.charlie,
    "Staking.InvalidEquivocationProof",
  );
});

Deno.test("reportEquivocation() refuses a vote signed for another round, set, stage or payload", () => {
  const ext = newExt();
  ext.nextBlock();
  const first = signed(dev.bob, "Precommit", target(1));
  const seconds: [VoteTarget, Uint8Array][] = [
    // Honest votes of other rounds and sets are not an equivocation in this one.
    signed(dev.bob, "Precommit", target(2), ROUND + 1n),
    signed(dev.bob, "Precommit", target(2), ROUND, SET_ID + 1n),
    // A prevote for another block is no second precommit.
    signed(dev.bob, "Prevote", target(2)),
    // The message alone, bound to no round and set, is not what a vote signs.
    [target(2), dev.bob.sign(encode(messageType, { tag: "Precommit", value: target(2) }))],
    // Signed by someone else.
    signed(dev.alice, "Precommit", target(2)),
  ];
  for (const second of seconds) {
    assertNoop(
      ext,
      "Staking",
      "reportEquivocation",
      votes(dev.bob, "Precommit", first, second),
      dev.charlie,
      "Staking.InvalidEquivocationProof",
    );
  }
});

Deno.test("reportEquivocation() of votes by a key that is no current validator's fails: OffenderNotValidator", () => {
  const ext = newExt();
  ext.nextBlock();
  const proof = votes(
    dev.eve,
    "Precommit",
    signed(dev.eve, "Precommit", target(1)),
    signed(dev.eve, "Precommit", target(2)),
  );
  refusedReport(ext, proof, "Staking.OffenderNotValidator");
});

Deno.test("attack: a validator that chills and unbonds everything before the report is still slashed", () => {
  const ext = newExt();
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assert(ext.apply("Staking", "chill", {}, aliceStash).ok);
  assert(ext.apply("Staking", "unbond", { value: 100_000n * TOKEN }, aliceStash).ok);
  assert.equal(ledger(ext, aliceStash).active, 0n);

  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  // 10% of the bond, unlocking or not: nothing escapes.
  assertEvent(ext, "Staking", "Slashed", { stash: aliceStash.publicKey, amount: 10_000n * TOKEN });
  const after = ledger(ext, aliceStash);
  assert.equal(after.total, 90_000n * TOKEN);
  assert.deepEqual(after.unlocking.map((c) => c.value), [90_000n * TOKEN]);
});

Deno.test("a slash takes its share of the active bond and of every chunk still bonded; a chunk free to withdraw is spared", () => {
  const ext = newExt();
  const duration = storage.BondingDuration.get(ext.state);
  assert(ext.apply("Staking", "unbond", { value: 20_000n * TOKEN }, aliceStash).ok);
  toEra(ext, 1);
  assert(ext.apply("Staking", "unbond", { value: 30_000n * TOKEN }, aliceStash).ok);
  toEra(ext, duration);
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  // 10% of the 50,000 active and of the 30,000 unbonded in era 1; the era-0 chunk is free.
  assertEvent(ext, "Staking", "Slashed", { stash: aliceStash.publicKey, amount: 8_000n * TOKEN });
  const after = ledger(ext, aliceStash);
  assert.equal(after.active, 45_000n * TOKEN);
  assert.deepEqual(after.unlocking.map((c) => c.value), [20_000n * TOKEN, 27_000n * TOKEN]);
  assert.equal(after.total, 92_000n * TOKEN);
});

// --- session keys: rotating after the offence escapes nothing ------------------

Deno.test("attack: a validator that rotates its session key after equivocating is still slashed for the old key's votes", () => {
  const ext = newExt();
  const proof = precommits(1, 2);
  assert(ext.apply("Staking", "setKeys", keysArgs(bobStash, dev.ferdie), bobStash).ok);
  toEra(ext, 1);
  assert.deepEqual(storage.SessionKeys.get(ext.state, bobStash.publicKey), dev.ferdie.publicKey);
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  assertEvent(ext, "Staking", "Slashed", { stash: bobStash.publicKey, amount: 5_000n * TOKEN });
});

Deno.test("attack: a validator that rotates its session key after sealing two blocks in one slot is still slashed", () => {
  const ext = newExt();
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assert(ext.apply("Staking", "setKeys", keysArgs(aliceStash, dev.ferdie), aliceStash).ok);
  toEra(ext, 1);
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  assertEvent(ext, "Staking", "Slashed", { stash: aliceStash.publicKey, amount: 10_000n * TOKEN });
});

Deno.test("an old session key stops being slashable once the bonding duration has passed", () => {
  const ext = newExt();
  assert(ext.apply("Staking", "setKeys", keysArgs(bobStash, dev.ferdie), bobStash).ok);
  // Retired at the start of era 1; slashable for offences of era 0 until era 0 + BondingDuration.
  toEra(ext, 1 + storage.BondingDuration.get(ext.state));
  assert.equal(storage.KeyOwner.contains(ext.state, dev.bob.publicKey), false);
  // Even votes it signs in the current set answer to no stash now.
  const proof = precommits(1, 2, authoritySetId(ext.state));
  refusedReport(ext, proof, "Staking.OffenderNotValidator");
});

// --- old offences: too old to report, then forgotten ---------------------------

Deno.test("attack: an offence older than the bonding duration is no longer accepted", () => {
  const ext = newExt();
  const duration = storage.BondingDuration.get(ext.state);
  // Votes of the authority set of era 0, reported once `duration` more eras have begun.
  const oldVotes = precommits(1, 2, authoritySetId(ext.state));
  // Slot 42 sealed in era 0; era 1 starts at slot 1,000.
  const oldBlocks = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  authorshipStorage.CurrentSlot.set(ext.state, 1_000n);
  toEra(ext, 1 + duration);
  for (const proof of [oldVotes, oldBlocks]) {
    refusedReport(ext, proof, "Staking.OffenceTooOld");
  }
  // A recent one still is.
  const recent = precommits(1, 2, authoritySetId(ext.state));
  assert(ext.apply("Staking", "reportEquivocation", recent, dev.charlie).ok);
});

Deno.test("a reported offence is forgotten once too old, and cannot be reported a second time", () => {
  const ext = newExt();
  const duration = storage.BondingDuration.get(ext.state);
  const proof = precommits(1, 2, authoritySetId(ext.state));
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  assert.equal([...storage.Offences.entries(ext.state)].length, 1);
  toEra(ext, duration);
  // Remembered while a proof of it is still accepted.
  refusedReport(ext, proof, "Staking.DuplicateOffenceReport");
  toEra(ext, duration + 1);
  assert.equal([...storage.Offences.entries(ext.state)].length, 0);
  assert.equal(storage.OffencesReportedIn.contains(ext.state, 0), false);
  refusedReport(ext, proof, "Staking.OffenceTooOld");
});
