import assert from "node:assert/strict";
import {
  blockHash,
  type DigestItem,
  encodeHeader,
  type Header,
} from "../../runtime/block/header.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { assertEvent, assertNoop, dev, TestExt } from "../../runtime/testing/mod.ts";
import { totalIssuance } from "../balances/mod.ts";
import { ledger, stakingConfig, toEra, TOKEN, validatorStaker } from "./_mock.ts";
import { currentValidators, stakingStorage as storage, type Vote, votePayload } from "./mod.ts";

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

const blocks = (first: Uint8Array, second: Uint8Array) => ({
  proof: { tag: "Blocks", value: { first, second } },
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
    // Both sealed by a key that is no validator's.
    blocks(sealedHeader(dev.eve, 42n, 7), sealedHeader(dev.eve, 42n, 8)),
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
    assertNoop(
      ext,
      "Staking",
      "reportEquivocation",
      proof,
      dev.charlie,
      "Staking.InvalidEquivocationProof",
    );
  }
});

Deno.test("reportEquivocation() needs a signed reporter", () => {
  const proof = blocks(sealedHeader(dev.alice, 42n, 7), sealedHeader(dev.alice, 42n, 8));
  assertNoop(newExt(), "Staking", "reportEquivocation", proof, "none", "BadOrigin");
});

function vote(targetByte: number, round = 3n): Vote {
  return {
    setId: 1n,
    round,
    stage: { tag: "Precommit" },
    targetHash: new Uint8Array(32).fill(targetByte),
    targetNumber: 9,
  };
}

function votes(ext: TestExt, signer: Keypair, first: Vote, second: Vote, forger = signer) {
  return {
    proof: {
      tag: "Votes",
      value: {
        offender: signer.publicKey,
        first,
        firstSignature: signer.sign(votePayload(first, ext.genesisHash)),
        second,
        secondSignature: forger.sign(votePayload(second, ext.genesisHash)),
      },
    },
  };
}

Deno.test("reportEquivocation() with two votes in one round slashes the validator", () => {
  const ext = newExt();
  ext.nextBlock();
  const proof = votes(ext, dev.bob, vote(1), vote(2));
  assert(ext.apply("Staking", "reportEquivocation", proof, dev.charlie).ok);
  assert.equal(ledger(ext, bobStash).active, 45_000n * TOKEN);
  assertEvent(ext, "Staking", "OffenceReported", {
    offender: bobStash.publicKey,
    kind: { tag: "VoteEquivocation" },
  });
  assertNoop(
    ext,
    "Staking",
    "reportEquivocation",
    votes(ext, dev.bob, vote(3), vote(1)),
    dev.charlie,
    "Staking.DuplicateOffenceReport",
  );
});

Deno.test("reportEquivocation() rejects votes that do not conflict or are forged", () => {
  const ext = newExt();
  ext.nextBlock();
  for (
    const proof of [
      votes(ext, dev.bob, vote(1), vote(1)),
      votes(ext, dev.bob, vote(1), vote(2, 4n)),
      votes(ext, dev.bob, vote(1), vote(2), dev.alice),
    ]
  ) {
    assertNoop(
      ext,
      "Staking",
      "reportEquivocation",
      proof,
      dev.charlie,
      "Staking.InvalidEquivocationProof",
    );
  }
});

Deno.test("reportEquivocation() fails for a key that is not a current validator's", () => {
  const ext = newExt();
  ext.nextBlock();
  assertNoop(
    ext,
    "Staking",
    "reportEquivocation",
    votes(ext, dev.eve, vote(1), vote(2)),
    dev.charlie,
    "Staking.OffenderNotValidator",
  );
});
