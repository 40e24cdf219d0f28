/**
 * Service reports: receipts are checked, counted once, and only for viewers
 * who paid (see `drain_test.ts` for what earns nothing); the score follows
 * the quality formula.
 */
import assert from "node:assert/strict";
import {
  assertLastEvent,
  assertNoop,
  type Caller,
  dev,
  type TestExt,
} from "../../runtime/testing/mod.ts";
import { currentEra } from "../staking/mod.ts";
import {
  accepted,
  carry,
  liveStream,
  newExt,
  pay,
  QOS,
  receipt,
  register,
  report,
  toEra,
} from "./_mock.ts";
import {
  countedReceipt,
  eraService,
  MAX_RELAYS,
  qosRewardsStorage,
  qualityPermill,
} from "./mod.ts";

const relay = dev.bob;
const creator = dev.eve;

/**
 * A chain with Bob as a relay carrying a live paid stream, for which Charlie
 * has paid 10,000 s and Dave nothing, 60 blocks (360 s) into era 0.
 */
function setup() {
  const ext = newExt();
  register(ext, relay);
  const stream = liveStream(ext, creator, 1_000n);
  carry(ext, relay, stream);
  pay(ext, dev.charlie, relay, stream, 10_000);
  ext.nextBlock(60 - ext.blockNumber);
  return { ext, stream };
}

/** `submitReport(args)` by `caller` fails with `error` and changes nothing. */
function refusedReport(
  ext: TestExt,
  args: Record<string, unknown>,
  caller: Caller,
  error: string,
): void {
  assertNoop(ext, "QosRewards", "submitReport", args, caller, error);
}

Deno.test("submitReport() counts only the receipts of paying viewers", () => {
  const { ext, stream } = setup();
  const era = currentEra(ext.state);
  accepted(ext, relay, report(ext, stream), [
    receipt(ext, dev.charlie, relay, stream, 120),
    receipt(ext, dev.dave, relay, stream, 500),
  ]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", {
    relay: relay.publicKey,
    era,
    stream,
    verifiedSeconds: 120n,
    score: 120n,
  });
  assert.deepEqual(eraService(ext.state, era, relay.publicKey), {
    verifiedSeconds: 120n,
    verifiedBytes: 120_000n,
    score: 120n,
  });
  assert.equal(
    countedReceipt(ext.state, era, relay.publicKey, stream, dev.dave.publicKey),
    undefined,
  );
});

Deno.test("submitReport() fails with DuplicateReceipt when a receipt is replayed", () => {
  const { ext, stream } = setup();
  const first = receipt(ext, dev.charlie, relay, stream, 60);
  accepted(ext, relay, report(ext, stream), [first]);
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [first],
    },
    relay,
    "QosRewards.DuplicateReceipt",
  );
  // An older (lower) cumulative receipt adds nothing either.
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [receipt(ext, dev.charlie, relay, stream, 30, { bytes: 30_000n })],
    },
    relay,
    "QosRewards.DuplicateReceipt",
  );
});

Deno.test("submitReport() counts only the increase of a cumulative receipt", () => {
  const { ext, stream } = setup();
  const era = currentEra(ext.state);
  accepted(ext, relay, report(ext, stream), [receipt(ext, dev.charlie, relay, stream, 60)]);
  accepted(ext, relay, report(ext, stream), [receipt(ext, dev.charlie, relay, stream, 100)]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: 40n, score: 40n });
  assert.deepEqual(eraService(ext.state, era, relay.publicKey), {
    verifiedSeconds: 100n,
    verifiedBytes: 100_000n,
    score: 100n,
  });
  assert.deepEqual(
    countedReceipt(ext.state, era, relay.publicKey, stream, dev.charlie.publicKey),
    { seconds: 100, bytes: 100_000n },
  );
});

Deno.test("submitReport() counts the same viewer once within one report", () => {
  const { ext, stream } = setup();
  accepted(ext, relay, report(ext, stream), [
    receipt(ext, dev.charlie, relay, stream, 50),
    receipt(ext, dev.charlie, relay, stream, 50),
    receipt(ext, dev.charlie, relay, stream, 80),
  ]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: 80n });
});

Deno.test("submitReport() fails with BadReceiptSignature when any receipt is forged", () => {
  const { ext, stream } = setup();
  const forged = receipt(ext, dev.charlie, relay, stream, 60, { signer: dev.ferdie });
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [receipt(ext, dev.charlie, relay, stream, 10), forged],
    },
    relay,
    "QosRewards.BadReceiptSignature",
  );
  // A genuine signature over other numbers is a forgery too.
  const inflated = { ...receipt(ext, dev.charlie, relay, stream, 60), seconds: 6000 };
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [inflated],
    },
    relay,
    "QosRewards.BadReceiptSignature",
  );
});

Deno.test("submitReport() rejects a receipt signed for another relay or era", () => {
  const { ext, stream } = setup();
  register(ext, dev.ferdie);
  const forFerdie = receipt(ext, dev.charlie, dev.ferdie, stream, 60);
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [forFerdie],
    },
    relay,
    "QosRewards.BadReceiptSignature",
  );
  const nextEra = receipt(ext, dev.charlie, relay, stream, 60, { era: currentEra(ext.state) + 1 });
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [nextEra],
    },
    relay,
    "QosRewards.BadReceiptSignature",
  );
});

Deno.test("submitReport() fails with WrongEra for a past or future era", () => {
  const { ext, stream } = setup();
  toEra(ext, 1);
  for (const era of [0, 2]) {
    refusedReport(
      ext,
      {
        report: report(ext, stream, { era }),
        receipts: [receipt(ext, dev.charlie, relay, stream, 60, { era })],
      },
      relay,
      "QosRewards.WrongEra",
    );
  }
});

Deno.test("submitReport() fails with NotRegistered for an account that is not a relay", () => {
  const { ext, stream } = setup();
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [receipt(ext, dev.charlie, dev.ferdie, stream, 60)],
    },
    dev.ferdie,
    "QosRewards.NotRegistered",
  );
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [],
    },
    "root",
    "BadOrigin",
  );
});

Deno.test("submitReport() fails with InvalidLoss above one million permill", () => {
  const { ext, stream } = setup();
  refusedReport(
    ext,
    {
      report: report(ext, stream, { lossPermill: 1_000_001 }),
      receipts: [receipt(ext, dev.charlie, relay, stream, 60)],
    },
    relay,
    "QosRewards.InvalidLoss",
  );
});

Deno.test("submitReport() fails with NoReceipts or TooManyReceipts", () => {
  const { ext, stream } = setup();
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [],
    },
    relay,
    "QosRewards.NoReceipts",
  );
  const five = [1, 2, 3, 4, 5].map((s) => receipt(ext, dev.charlie, relay, stream, s));
  assert.equal(five.length, QOS.maxReceiptsPerReport + 1);
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: five,
    },
    relay,
    "QosRewards.TooManyReceipts",
  );
});

Deno.test("submitReport() fails with NoAccess when no viewer may watch", () => {
  const { ext, stream } = setup();
  refusedReport(
    ext,
    {
      report: report(ext, stream),
      receipts: [receipt(ext, dev.dave, relay, stream, 60)],
    },
    relay,
    "QosRewards.NoAccess",
  );
});

Deno.test("submitReport() weights seconds by quality", () => {
  const { ext, stream } = setup();
  // 2% loss costs 20%, 150 ms of jitter 1.5%: quality 785_000 permill.
  accepted(ext, relay, report(ext, stream, { lossPermill: 20_000, jitterMs: 150 }), [
    receipt(ext, dev.charlie, relay, stream, 300),
  ]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: 300n, score: 235n });
});

Deno.test("qualityPermill() follows the documented formula", () => {
  assert.equal(qualityPermill(0, 0), 1_000_000n);
  assert.equal(qualityPermill(10_000, 0), 900_000n);
  assert.equal(qualityPermill(0, 100), 990_000n);
  assert.equal(qualityPermill(0, 5_000), 900_000n); // jitter is capped at 1 s
  assert.equal(qualityPermill(100_000, 0), 0n);
  assert.equal(qualityPermill(1_000_000, 1_000), 0n); // never below zero
});

Deno.test("a report goes through as a real signed extrinsic, and a failed one still pays its fee", () => {
  const { ext, stream } = setup();
  const good = ext.signed("QosRewards", "submitReport", {
    report: report(ext, stream),
    receipts: [receipt(ext, dev.charlie, relay, stream, 60)],
  }, relay);
  assert.equal(ext.applyExtrinsic(good).ok, true);
  const replay = ext.signed("QosRewards", "submitReport", {
    report: report(ext, stream),
    receipts: [receipt(ext, dev.charlie, relay, stream, 60)],
  }, relay);
  const outcome = ext.applyExtrinsic(replay);
  assert.equal(outcome.ok, false);
  assert.ok(outcome.fee > 0n);
  assert.equal(eraService(ext.state, currentEra(ext.state), relay.publicKey)?.verifiedSeconds, 60n);
});

Deno.test("attack: an era's payees are capped at MaxRelays, even as relays leave and join", () => {
  const { ext, stream } = setup();
  const payees = () => qosRewardsStorage.CounterForEraServices.get(ext.state);
  // 1,000 relays have service this era (most of them gone from the registry since).
  qosRewardsStorage.CounterForEraServices.set(ext.state, MAX_RELAYS);
  refusedReport(
    ext,
    { report: report(ext, stream), receipts: [receipt(ext, dev.charlie, relay, stream, 60)] },
    relay,
    "QosRewards.TooManyEraRelays",
  );
  // A relay with service this era already reports on: it adds no payee.
  qosRewardsStorage.CounterForEraServices.set(ext.state, MAX_RELAYS - 1);
  accepted(ext, relay, report(ext, stream), [receipt(ext, dev.charlie, relay, stream, 60)]);
  assert.equal(payees(), MAX_RELAYS);
  accepted(ext, relay, report(ext, stream), [receipt(ext, dev.charlie, relay, stream, 120)]);
  assert.equal(payees(), MAX_RELAYS);
  // Leaving does not free its place before the payout; the payout frees every place.
  assert.deepEqual(ext.apply("QosRewards", "deregisterRelay", {}, relay), { ok: true });
  assert.equal(payees(), MAX_RELAYS);
  toEra(ext, currentEra(ext.state) + 1);
  assert.equal(payees(), 0);
});
