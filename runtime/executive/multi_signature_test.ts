import assert from "node:assert/strict";
import { ECDSA_VERIFY_EXTRA_WEIGHT, SR25519_VERIFY_EXTRA_WEIGHT } from "../base_weights.ts";
import { ecdsaFromUri, sr25519FromUri } from "../crypto/mod.ts";
import { encodeSigned, type MultiAddressValue, signingPayload } from "../extrinsic/extrinsic.ts";
import { IMMORTAL } from "../extrinsic/era.ts";
import { dev, TestExt, thrownBy } from "../testing/mod.ts";
import { runtime } from "../mod.ts";
import { TOKEN } from "../../chain-spec/presets.ts";
import { freeBalance } from "../../pallets/balances/mod.ts";
import { TransactionValidityError } from "./validity.ts";

const srAlice = sr25519FromUri("//Alice");
const ecdsaAlice = ecdsaFromUri("//Alice");
const transfer = { dest: { tag: "Id", value: dev.bob.publicKey }, value: TOKEN };

Deno.test("an sr25519-signed transfer from //Alice applies and pays the measured sr25519 verify cost on top", () => {
  const ext = new TestExt();
  const edTx = ext.signed("Balances", "transferKeepAlive", transfer, dev.alice);
  const srTx = ext.signed("Balances", "transferKeepAlive", transfer, srAlice);
  assert.equal(srTx.length, edTx.length);
  const bobBefore = freeBalance(ext.state, dev.bob.publicKey);
  const srBefore = freeBalance(ext.state, srAlice.publicKey);
  const ed = ext.applyExtrinsic(edTx);
  const sr = ext.applyExtrinsic(srTx);
  assert.ok(ed.ok && sr.ok);
  assert.equal(freeBalance(ext.state, dev.bob.publicKey), bobBefore + 2n * TOKEN);
  assert.equal(freeBalance(ext.state, srAlice.publicKey), srBefore - TOKEN - sr.fee);
  assert.equal(sr.weight - ed.weight, SR25519_VERIFY_EXTRA_WEIGHT);
  const fee = (w: number) => runtime.payment.computeFee(ext.state, srTx.length, w, "normal", 0n);
  assert.equal(sr.fee - ed.fee, fee(sr.weight) - fee(ed.weight));
  assert.ok(sr.fee > ed.fee);
  // queryInfo (payment_queryInfo) quotes the same weight and fee.
  const next = ext.signed("Balances", "transferKeepAlive", transfer, srAlice);
  const info = ext.executive.queryInfo(ext.parent, next);
  assert.equal(info.weight, sr.weight);
});

Deno.test("a forged sr25519 signature is BadProof", () => {
  const ext = new TestExt();
  const tx = ext.signed("Balances", "transferKeepAlive", transfer, srAlice);
  // Compact length (2 bytes), version, MultiAddress::Id (1 + 32), the variant byte, then the signature.
  const at = 2 + 1 + 33 + 1;
  assert.equal(tx[at - 1], 1); // MultiSignature::Sr25519
  const forged = tx.slice();
  forged[at + 7] ^= 1;
  assert.equal(
    thrownBy(TransactionValidityError, () => ext.applyExtrinsic(forged)).reason,
    "BadProof",
  );
  // An sr25519 signature claimed as ed25519 is BadProof too.
  const relabelled = tx.slice();
  relabelled[at - 1] = 0;
  assert.equal(
    thrownBy(TransactionValidityError, () => ext.applyExtrinsic(relabelled)).reason,
    "BadProof",
  );
});

/** A signed transfer with any address and signature bytes, over the right payload. */
function handSigned(
  ext: TestExt,
  address: MultiAddressValue,
  sign: (payload: Uint8Array) => { type: "Ed25519" | "Sr25519" | "Ecdsa"; signature: Uint8Array },
  nonce = 0,
): Uint8Array {
  const call = runtime.encodeCall({
    pallet: "Balances",
    call: "transferKeepAlive",
    args: transfer,
  });
  const extra = { era: IMMORTAL, nonce, tip: 0n };
  const payload = signingPayload(call, extra, {
    specVersion: runtime.version.specVersion,
    transactionVersion: runtime.version.transactionVersion,
    genesisHash: ext.genesisHash,
    eraBlockHash: ext.genesisHash,
  });
  return encodeSigned(address, sign(payload), extra, call);
}

Deno.test("an ecdsa-signed transfer from blake2(compressed key) applies and pays the ecdsa verify cost", () => {
  const ext = new TestExt();
  const fund = ext.signed("Balances", "transferKeepAlive", {
    dest: { tag: "Id", value: ecdsaAlice.account },
    value: 10n * TOKEN,
  }, dev.alice);
  assert.ok(ext.applyExtrinsic(fund).ok);
  const tx = ext.signed("Balances", "transferKeepAlive", transfer, ecdsaAlice);
  const outcome = ext.applyExtrinsic(tx);
  assert.ok(outcome.ok);
  const ed = ext.applyExtrinsic(ext.signed("Balances", "transferKeepAlive", transfer, dev.alice));
  assert.equal(outcome.weight - ed.weight, ECDSA_VERIFY_EXTRA_WEIGHT);
  assert.equal(freeBalance(ext.state, ecdsaAlice.account), 9n * TOKEN - outcome.fee);
});

Deno.test("an ecdsa signature whose recovered key does not hash to the sending account is BadProof", () => {
  const ext = new TestExt();
  // Sent as //Alice's ed25519 account (funded), signed by the ecdsa //Alice key.
  const tx = handSigned(
    ext,
    { type: "Id", value: dev.alice.publicKey },
    (p) => ({ type: "Ecdsa", signature: ecdsaAlice.sign(p) }),
  );
  assert.equal(thrownBy(TransactionValidityError, () => ext.applyExtrinsic(tx)).reason, "BadProof");
  // Sent as the raw compressed key's tail: not the account either.
  const asKey = handSigned(
    ext,
    { type: "Id", value: ecdsaAlice.publicKey.subarray(1) },
    (p) => ({ type: "Ecdsa", signature: ecdsaAlice.sign(p) }),
  );
  assert.equal(
    thrownBy(TransactionValidityError, () => ext.applyExtrinsic(asKey)).reason,
    "BadProof",
  );
});

Deno.test("every MultiAddress variant that names an account signs for it; the others fail the lookup clearly", () => {
  const ext = new TestExt();
  const sign = (p: Uint8Array) => ({ type: "Sr25519" as const, signature: srAlice.sign(p) });
  const before = freeBalance(ext.state, srAlice.publicKey);
  let nonce = 0;
  for (const type of ["Id", "Raw", "Address32"] as const) {
    const tx = handSigned(ext, { type, value: srAlice.publicKey }, sign, nonce++);
    const outcome = ext.applyExtrinsic(tx);
    assert.ok(outcome.ok, type);
  }
  assert.ok(freeBalance(ext.state, srAlice.publicKey) < before - 3n * TOKEN);
  const refused: [MultiAddressValue, RegExp][] = [
    [{ type: "Index", value: 3 }, /Index\(3\) needs an indices pallet/],
    [{ type: "Address20", value: new Uint8Array(20) }, /Address20 has no mapping to an account/],
    [{ type: "Raw", value: srAlice.publicKey.subarray(0, 20) }, /Raw of 20 bytes/],
  ];
  for (const [address, message] of refused) {
    const tx = handSigned(ext, address, sign, nonce);
    const error = thrownBy(TransactionValidityError, () => ext.applyExtrinsic(tx));
    assert.equal(error.kind, "Unknown");
    assert.equal(error.reason, "CannotLookup");
    assert.match(error.detail, message);
    assert.throws(() => ext.executive.validateTransaction(ext.parent, tx), message);
  }
});
