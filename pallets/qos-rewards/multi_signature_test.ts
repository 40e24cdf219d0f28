/**
 * Receipts of every signature kind: a viewer signs its receipts with the
 * kind of key its account has, and a receipt counts only under that key and
 * kind.
 */
import assert from "node:assert/strict";
import { signerFromUri } from "../../runtime/crypto/mod.ts";
import { runtime } from "../../runtime/mod.ts";
import { assertLastEvent, assertNoop, dev } from "../../runtime/testing/mod.ts";
import { currentEra } from "../staking/mod.ts";
import {
  accepted,
  carry,
  liveStream,
  newExt,
  ok,
  pay,
  receipt,
  register,
  report,
  TOKEN,
} from "./_mock.ts";
import { countedReceipt } from "./mod.ts";
import { WEIGHTS } from "./weights.ts";

const relay = dev.bob;
const srCharlie = signerFromUri("//Charlie", "sr25519");
const ecdsaDave = signerFromUri("//Dave", "ecdsa");

/** Bob relays Eve's paid stream; sr25519 Charlie and ecdsa Dave have paid 1,000 s each. */
function setup() {
  const ext = newExt();
  register(ext, relay);
  const stream = liveStream(ext, dev.eve, 1_000n);
  carry(ext, relay, stream);
  ok(ext, "Balances", "transferKeepAlive", {
    dest: { tag: "Id", value: ecdsaDave.account },
    value: 100n * TOKEN,
  }, dev.alice);
  pay(ext, srCharlie, relay, stream, 1_000);
  pay(ext, ecdsaDave, relay, stream, 1_000);
  ext.nextBlock(60 - ext.blockNumber);
  return { ext, stream };
}

Deno.test("an sr25519 and an ecdsa viewer's receipts count for the relay that served them", () => {
  const { ext, stream } = setup();
  accepted(ext, relay, report(ext, stream), [
    receipt(ext, srCharlie, relay, stream, 50),
    receipt(ext, ecdsaDave, relay, stream, 70),
  ]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: 120n });
  const era = currentEra(ext.state);
  const counted = (who: Uint8Array) =>
    countedReceipt(ext.state, era, relay.publicKey, stream, who)?.seconds;
  assert.equal(counted(srCharlie.account), 50);
  assert.equal(counted(ecdsaDave.account), 70);
});

Deno.test("attack: a receipt by the viewer's URI in another scheme, relabelled, or forged, voids the report", () => {
  const { ext, stream } = setup();
  const refused = (receipts: unknown[]) =>
    assertNoop(
      ext,
      "QosRewards",
      "submitReport",
      { report: report(ext, stream), receipts },
      relay,
      "QosRewards.BadReceiptSignature",
    );
  const genuine = receipt(ext, srCharlie, relay, stream, 50);
  // The same URI's ed25519 and ecdsa keys are other accounts.
  refused([genuine, receipt(ext, srCharlie, relay, stream, 60, { signer: dev.charlie })]);
  refused([
    receipt(ext, ecdsaDave, relay, stream, 60, { signer: signerFromUri("//Dave", "sr25519") }),
  ]);
  refused([
    receipt(ext, ecdsaDave, relay, stream, 60, { signer: signerFromUri("//Eve", "ecdsa") }),
  ]);
  // The viewer's own sr25519 signature sent as ed25519.
  refused([{ ...genuine, signature: { ...genuine.signature, type: "Ed25519" } }]);
  for (const r of [genuine, receipt(ext, ecdsaDave, relay, stream, 60)]) {
    const forged = r.signature.signature.slice();
    forged[20] ^= 1;
    refused([{ ...r, signature: { ...r.signature, signature: forged } }]);
  }
  accepted(ext, relay, report(ext, stream), [genuine]);
});

Deno.test("submitReport weighs each receipt as the benchmark of its kind of signature measured", () => {
  const { ext, stream } = setup();
  const receipts = [
    receipt(ext, dev.charlie, relay, stream, 10),
    receipt(ext, srCharlie, relay, stream, 10),
    receipt(ext, ecdsaDave, relay, stream, 10),
    receipt(ext, ecdsaDave, relay, stream, 20),
  ];
  const weight = (rs: unknown[]) =>
    runtime.callWeight({
      pallet: "QosRewards",
      call: "submitReport",
      args: { report: report(ext, stream), receipts: rs },
    });
  const slope = (f: (n: number) => number) => f(1) - f(0);
  assert.equal(
    weight(receipts) - weight([]),
    slope(WEIGHTS.submitReport) + slope(WEIGHTS.submitReportSr25519) +
      2 * slope(WEIGHTS.submitReportEcdsa),
  );
  // A report of one kind weighs at least what that kind's benchmark measured.
  for (const f of [WEIGHTS.submitReport, WEIGHTS.submitReportEcdsa]) {
    const kind = f === WEIGHTS.submitReport ? dev.charlie : ecdsaDave;
    const all = Array.from({ length: 4 }, () => receipt(ext, kind, relay, stream, 10));
    assert.ok(weight(all) >= f(4));
  }
});
