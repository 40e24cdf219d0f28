import assert from "node:assert/strict";
import { dev, GENESIS_TIME_MS, TestExt } from "../testing/mod.ts";
import { LIMITS } from "../mod.ts";
import { freeBalance, totalIssuance } from "../../pallets/balances/mod.ts";
import { systemApi } from "../../pallets/system/mod.ts";
import { keypairFromUri } from "../crypto/mod.ts";
import { DEFAULT_MORTAL_PERIOD, mortal, signingEra } from "../extrinsic/era.ts";
import { TransactionValidityError } from "./validity.ts";
import { BlockError } from "./executive.ts";
import { decodeBody, type DigestItem, encodeBody } from "../block/header.ts";
import { scheduledChangeLog } from "../consensus/grandpa.ts";
import { utf8 } from "../primitives/bytes.ts";
import { WEIGHTS as SYSTEM_WEIGHTS } from "../../pallets/system/weights.ts";

const to = (who: Uint8Array) => ({ tag: "Id", value: who });

function invalidReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TransactionValidityError) return e.reason;
    throw e;
  }
  throw new Error("expected an invalid transaction");
}

Deno.test("a failed dispatch keeps the fee paid and rolls back the call's changes", () => {
  const ext = new TestExt();
  const before = freeBalance(ext.state, dev.alice.publicKey);
  const bobBefore = freeBalance(ext.state, dev.bob.publicKey);
  const x = ext.signed("Balances", "transferKeepAlive", {
    dest: to(dev.bob.publicKey),
    value: 10n ** 30n,
  }, dev.alice);
  const outcome = ext.applyExtrinsic(x);
  assert.equal(outcome.ok, false);
  assert.equal(outcome.error?.tag, "Module");
  assert.ok(outcome.fee > 0n);
  assert.equal(freeBalance(ext.state, dev.alice.publicKey), before - outcome.fee);
  assert.equal(freeBalance(ext.state, dev.bob.publicKey), bobBefore);
  assert.equal(systemApi.accountNonce(ext.state, dev.alice.publicKey), 1);
  const failed = ext.events().find((e) => e.name === "ExtrinsicFailed");
  assert.ok(failed);
});

Deno.test("fees are split between the block author share and the reward pot, conserving issuance", () => {
  const ext = new TestExt();
  const issuance = totalIssuance(ext.state);
  const x = ext.signed(
    "Balances",
    "transferKeepAlive",
    { dest: to(dev.bob.publicKey), value: 1n },
    dev.alice,
  );
  ext.applyExtrinsic(x);
  // No slot digest in the harness: no author, so the whole fee goes to the pot.
  assert.equal(totalIssuance(ext.state), issuance);
});

Deno.test("a stale nonce is invalid and changes nothing", () => {
  const ext = new TestExt();
  ext.applyExtrinsic(ext.signed("System", "remark", { remark: new Uint8Array([1]) }, dev.alice));
  const snapshot = ext.snapshot();
  const stale = ext.signed("System", "remark", { remark: new Uint8Array([2]) }, dev.alice, {
    nonce: 0,
  });
  assert.equal(invalidReason(() => ext.applyExtrinsic(stale)), "Stale");
  assert.deepEqual(ext.snapshot(), snapshot);
});

Deno.test("a future nonce cannot be included but is valid for the pool with a requires tag", () => {
  const ext = new TestExt();
  const future = ext.signed("System", "remark", { remark: new Uint8Array([2]) }, dev.alice, {
    nonce: 3,
  });
  assert.equal(invalidReason(() => ext.applyExtrinsic(future)), "Future");
  ext.nextBlock();
  const valid = ext.executive.validateTransaction(ext.parent, future);
  assert.equal(valid.requires.length, 1);
  assert.equal(valid.provides.length, 1);
});

Deno.test("a signature over another genesis hash or spec version is a bad proof", () => {
  const ext = new TestExt();
  const otherGenesis = ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice, {
    genesisHash: new Uint8Array(32).fill(7),
  });
  assert.equal(invalidReason(() => ext.applyExtrinsic(otherGenesis)), "BadProof");
  const otherSpec = ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice, {
    specVersion: 99,
  });
  assert.equal(invalidReason(() => ext.applyExtrinsic(otherSpec)), "BadProof");
});

Deno.test("a mortal transaction is valid in its period and expired after it", () => {
  const ext = new TestExt();
  ext.nextBlock(2); // block 3 open; blocks 0..2 have hashes
  const era = mortal(4, 2);
  const x = ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice, { era });
  assert.ok(ext.applyExtrinsic(x).ok); // born at 2, valid in 3
  const late = ext.signed("System", "remark", { remark: new Uint8Array([1]) }, dev.alice, { era });
  ext.nextBlock(4); // block 7 open: past death (2 + 4 = 6)
  assert.ok(
    ["AncientBirthBlock", "BadProof"].includes(invalidReason(() => ext.applyExtrinsic(late))),
  );
});

Deno.test("attack: a transfer replayed after its sender was reaped and funded again is refused once its era has died", () => {
  const ext = new TestExt();
  const victim = keypairFromUri("//Reaped");
  const fund = () =>
    assert.ok(
      ext.apply("Balances", "transferAllowDeath", {
        dest: { tag: "Id", value: victim.publicKey },
        value: 10n ** 12n,
      }, dev.alice).ok,
    );
  fund();
  ext.nextBlock();
  const at = (n: number) => ({ number: n, hash: systemApi.blockHash(ext.state, n)! });
  const { era } = signingEra(at(ext.blockNumber - 1), at(ext.blockNumber - 1));
  const pay = { dest: { tag: "Id", value: dev.eve.publicKey }, value: 10n ** 11n };
  const transfer = ext.signed("Balances", "transferKeepAlive", pay, victim, { era });
  const immortal = ext.signed("Balances", "transferKeepAlive", pay, victim);
  assert.ok(ext.applyExtrinsic(transfer).ok);
  // The rest goes; the account is reaped and its nonce starts again at 0.
  assert.ok(
    ext.apply("Balances", "transferAll", {
      dest: { tag: "Id", value: dev.bob.publicKey },
      keepAlive: false,
    }, victim).ok,
  );
  assert.equal(systemApi.accountNonce(ext.state, victim.publicKey), 0);
  ext.nextBlock(DEFAULT_MORTAL_PERIOD);
  fund();
  // Dead: its birth block now resolves to a later one, whose hash the signature does not bind.
  const reason = invalidReason(() => ext.applyExtrinsic(transfer));
  assert.ok(["AncientBirthBlock", "BadProof"].includes(reason), reason);
  // Immortal bytes of the same transfer would pay Eve a second time.
  const eve = freeBalance(ext.state, dev.eve.publicKey);
  assert.ok(ext.applyExtrinsic(immortal).ok);
  assert.equal(freeBalance(ext.state, dev.eve.publicKey), eve + 10n ** 11n);
});

Deno.test("attack: a block of the cheapest call fits no more remarks than the base weight allows", () => {
  const ext = new TestExt();
  const remark = (nonce: number) =>
    ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice, { nonce });
  const { weight, partialFee } = ext.executive.queryInfo(ext.parent, remark(0));
  // A remark once declared 2 µs, and ~49k of them fit while each cost ~190 µs to apply.
  assert.equal(weight, LIMITS.extrinsicBaseWeight + SYSTEM_WEIGHTS.remark(0));
  const fit = Math.floor(LIMITS.maxWeight * LIMITS.normalRatioPercent / 100 / weight);
  let included = 0;
  let refused = "";
  for (let nonce = 0; nonce <= fit + 1 && !refused; nonce++) {
    try {
      ext.applyExtrinsic(remark(nonce));
      included++;
    } catch (e) {
      if (!(e instanceof TransactionValidityError)) throw e;
      refused = e.reason;
    }
  }
  assert.equal(refused, "ExhaustsResources");
  // The block's own execution weight comes first, so at most `fit` remarks go in.
  assert.ok(included <= fit && included > fit * 0.9, `${included} of ${fit}`);
  assert.ok(partialFee > 0n);
});

Deno.test("a transaction signed for a block not yet born is rejected", () => {
  const ext = new TestExt();
  const era = mortal(64, 40); // birth at block 40, which does not exist yet
  const x = ext.signed("System", "remark", { remark: new Uint8Array() }, dev.alice, { era });
  assert.ok(["BadProof", "AncientBirthBlock"].includes(invalidReason(() => ext.applyExtrinsic(x))));
});

Deno.test("an unfunded sender cannot pay the fee: invalid Payment", () => {
  const ext = new TestExt();
  const x = ext.signed(
    "System",
    "remark",
    { remark: new Uint8Array() },
    keypairFromUri("//Nobody"),
  );
  assert.equal(invalidReason(() => ext.applyExtrinsic(x)), "Payment");
});

Deno.test("executeBlock accepts a built block and rejects wrong roots or a missing extrinsic", () => {
  const ext = new TestExt();
  const parent = ext.parent;
  ext.applyExtrinsic(
    ext.signed(
      "Balances",
      "transferKeepAlive",
      { dest: to(dev.bob.publicKey), value: 5n },
      dev.alice,
    ),
  );
  const extrinsics = decodeBody(encodeBody([...ext.extrinsics]));
  ext.nextBlock();
  const header = ext.parent;
  const imported = ext.executive.executeBlock(parent, { header, extrinsics });
  assert.deepEqual(imported.header.stateRoot, header.stateRoot);
  const isCode = (code: string) => (e: unknown) => e instanceof BlockError && e.code === code;
  assert.throws(
    () =>
      ext.executive.executeBlock(parent, {
        header: { ...header, stateRoot: new Uint8Array(32) },
        extrinsics,
      }),
    isCode("BLOCK_ERROR_STATE_ROOT_MISMATCH"),
  );
  assert.throws(
    () =>
      ext.executive.executeBlock(parent, {
        header: { ...header, extrinsicsRoot: new Uint8Array(32) },
        extrinsics,
      }),
    isCode("BLOCK_ERROR_EXTRINSICS_ROOT_MISMATCH"),
  );
  // Without the timestamp inherent the block cannot finalize.
  assert.throws(
    () => ext.executive.executeBlock(parent, { header, extrinsics: extrinsics.slice(1) }),
    isCode("BLOCK_ERROR_FINALIZE_FAILED"),
  );
  // A signed extrinsic before the inherent breaks the inherent position rule.
  assert.throws(
    () =>
      ext.executive.executeBlock(parent, { header, extrinsics: [extrinsics[1], extrinsics[0]] }),
    isCode("BLOCK_ERROR_INHERENT_POSITION"),
  );
});

/** The harness's open block, finished: its parent, header and body. */
function finishedBlock(ext: TestExt) {
  const parent = ext.parent;
  const extrinsics = [...ext.extrinsics];
  ext.nextBlock();
  return { parent, header: ext.parent, extrinsics };
}

const seal = (byte: number): DigestItem => ({
  tag: "Seal",
  value: [utf8("aura"), new Uint8Array(64).fill(byte)],
});

const isDigestMismatch = (e: unknown) =>
  e instanceof BlockError && e.code === "BLOCK_ERROR_DIGEST_MISMATCH";

Deno.test("a header announcing an authority set change the runtime did not make is refused: DIGEST_MISMATCH", () => {
  const ext = new TestExt();
  const { parent, header, extrinsics } = finishedBlock(ext);
  const nodes = ext.store.size;
  // An author telling light clients that Eve alone finalizes from here on.
  const forged = [scheduledChangeLog([dev.eve.publicKey]), ...header.digest];
  for (const digest of [forged, [...forged, seal(1)], [...header.digest, forged[0], seal(1)]]) {
    assert.throws(
      () => ext.executive.executeBlock(parent, { header: { ...header, digest }, extrinsics }),
      isDigestMismatch,
    );
  }
  // Execution is pure: nothing was stored for the refused blocks.
  assert.equal(ext.store.size, nodes);
  assert.deepEqual(ext.executive.executeBlock(parent, { header, extrinsics }).header, header);
});

Deno.test("an imported block's trailing seals are not part of the digest the runtime checks", () => {
  const ext = new TestExt();
  const { parent, header, extrinsics } = finishedBlock(ext);
  for (const digest of [[seal(1)], [seal(1), seal(2)]]) {
    const sealed = { ...header, digest: [...header.digest, ...digest] };
    const imported = ext.executive.executeBlock(parent, { header: sealed, extrinsics });
    assert.deepEqual(imported.header, sealed);
  }
  // A seal is the last thing in a header: an item after it is the runtime's or nobody's.
  const other: DigestItem = { tag: "Other", value: new Uint8Array([1]) };
  assert.throws(
    () =>
      ext.executive.executeBlock(parent, {
        header: { ...header, digest: [seal(1), other] },
        extrinsics,
      }),
    isDigestMismatch,
  );
});

Deno.test("the pool refuses unsigned extrinsics and garbage with a typed error", () => {
  const ext = new TestExt();
  ext.nextBlock();
  const inherent = ext.extrinsics[0];
  assert.throws(
    () => ext.executive.validateTransaction(ext.parent, inherent),
    TransactionValidityError,
  );
  assert.throws(
    () => ext.executive.validateTransaction(ext.parent, new Uint8Array([4, 0x84, 1, 2, 3])),
    TransactionValidityError,
  );
});

Deno.test("a signed mandatory call is refused by the pool and by the block", () => {
  const ext = new TestExt();
  const tx = ext.signed("Timestamp", "set", { now: GENESIS_TIME_MS + 60_000n }, dev.alice);
  const before = ext.snapshot();
  assert.throws(
    () => ext.executive.validateTransaction(ext.parent, tx),
    (e) => e instanceof TransactionValidityError && e.reason === "MandatoryValidation",
  );
  assert.throws(
    () => ext.applyExtrinsic(tx),
    (e) => e instanceof TransactionValidityError && e.reason === "BadMandatory",
  );
  assert.deepStrictEqual(ext.snapshot(), before);
});
