import assert from "node:assert/strict";
import { sr25519FromUri } from "../crypto/mod.ts";
import { decodeExtrinsic, signingPayload } from "../extrinsic/extrinsic.ts";
import { IMMORTAL } from "../extrinsic/era.ts";
import { metadataHash } from "../metadata/mod.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { dev, TestExt, thrownBy } from "../testing/mod.ts";
import { runtime } from "../mod.ts";
import { TOKEN } from "../../chain-spec/presets.ts";
import { freeBalance } from "../../pallets/balances/mod.ts";
import { TransactionValidityError } from "./validity.ts";

const srAlice = sr25519FromUri("//Alice");
const transfer = { dest: { tag: "Id", value: dev.bob.publicKey }, value: TOKEN };

/** Asserts that `tx` is refused with `reason`, by the pool and in a block, and changes no storage. */
function assertRefused(ext: TestExt, tx: Uint8Array, reason: string, detail?: RegExp): void {
  const before = ext.snapshot();
  const error = thrownBy(TransactionValidityError, () => ext.applyExtrinsic(tx));
  assert.equal(error.reason, reason);
  if (detail) assert.match(error.detail, detail);
  assert.throws(() => ext.executive.validateTransaction(ext.parent, tx), TransactionValidityError);
  assert.deepEqual(ext.snapshot(), before);
}

Deno.test("a transfer signed with CheckMetadataHash Enabled over the runtime's metadata hash applies", () => {
  const ext = new TestExt();
  const bobBefore = freeBalance(ext.state, dev.bob.publicKey);
  for (const signer of [dev.alice, srAlice]) {
    const tx = ext.signed("Balances", "transferKeepAlive", transfer, signer, { mode: "Enabled" });
    const decoded = decodeExtrinsic(tx);
    assert.equal(decoded.kind === "signed" && decoded.extra.mode, "Enabled");
    assert.ok(ext.applyExtrinsic(tx).ok);
  }
  assert.equal(freeBalance(ext.state, dev.bob.publicKey), bobBefore + 2n * TOKEN);
});

Deno.test("a signer shown forged metadata signs its hash: the transfer is BadProof and changes nothing", () => {
  const ext = new TestExt();
  const forged = blake2_256(new TextEncoder().encode("metadata a wallet was lied to with"));
  assert.notDeepEqual(forged, metadataHash(runtime));
  const tx = ext.signed("Balances", "transferKeepAlive", transfer, dev.alice, {
    mode: "Enabled",
    metadataHash: forged,
  });
  assertRefused(ext, tx, "BadProof");
});

Deno.test("flipping the mode byte in transit breaks the signature: Disabled-signed sent as Enabled and back", () => {
  const ext = new TestExt();
  const call = runtime.encodeCall({
    pallet: "Balances",
    call: "transferKeepAlive",
    args: transfer,
  });
  for (const [mode, flipped] of [["Disabled", 1], ["Enabled", 0]] as const) {
    const tx = ext.signed("Balances", "transferKeepAlive", transfer, dev.alice, { mode });
    const at = tx.length - call.length - 1; // the mode byte comes right before the call
    assert.equal(tx[at], 1 - flipped);
    const sent = tx.slice();
    sent[at] = flipped;
    assertRefused(ext, sent, "BadProof");
  }
});

Deno.test("a CheckMetadataHash mode byte of 2 is refused at decoding, before any fee is taken", () => {
  const ext = new TestExt();
  const call = runtime.encodeCall({
    pallet: "Balances",
    call: "transferKeepAlive",
    args: transfer,
  });
  const tx = ext.signed("Balances", "transferKeepAlive", transfer, dev.alice).slice();
  tx[tx.length - call.length - 1] = 2;
  assert.throws(
    () => decodeExtrinsic(tx),
    /Cannot decode extrinsic: unknown CheckMetadataHash mode 2/,
  );
  assertRefused(ext, tx, "Call", /mode 2 \(0 Disabled, 1 Enabled\)/);
  assert.throws(() => ext.executive.queryInfo(ext.parent, tx), /mode 2/);
});

Deno.test("signingPayload() refuses a metadata hash that does not go with the mode", () => {
  const call = runtime.encodeCall({
    pallet: "Balances",
    call: "transferKeepAlive",
    args: transfer,
  });
  const extra = { era: IMMORTAL, nonce: 0, tip: 0n };
  const additional = {
    specVersion: runtime.version.specVersion,
    transactionVersion: runtime.version.transactionVersion,
    genesisHash: new Uint8Array(32),
    eraBlockHash: new Uint8Array(32),
  };
  const hash = metadataHash(runtime);
  assert.throws(
    () => signingPayload(call, { ...extra, mode: "Enabled" }, additional),
    /Cannot sign extrinsic: mode Enabled with no metadata hash/,
  );
  assert.throws(
    () =>
      signingPayload(call, { ...extra, mode: "Enabled" }, {
        ...additional,
        metadataHash: hash.subarray(1),
      }),
    /mode Enabled with a 31-byte metadata hash/,
  );
  assert.throws(
    () => signingPayload(call, extra, { ...additional, metadataHash: hash }),
    /mode Disabled with a 32-byte metadata hash/,
  );
  // Disabled signs None (0x00), Enabled Some(hash) (0x01 ++ hash), each after the mode byte.
  const disabled = signingPayload(call, extra, additional);
  const enabled = signingPayload(call, { ...extra, mode: "Enabled" }, {
    ...additional,
    metadataHash: hash,
  });
  assert.deepEqual(disabled.subarray(-1), new Uint8Array([0]));
  assert.deepEqual(enabled.subarray(-33), new Uint8Array([1, ...hash]));
  assert.equal(enabled.length, disabled.length + 32);
});
