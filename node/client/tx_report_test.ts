import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { runtime } from "../../runtime/mod.ts";
import { amountFormat } from "./amounts.ts";
import type { TxOutcome } from "./commands.ts";
import { describeOutcome, describeProgress } from "./tx_report.ts";

const STREAM = { symbol: "STREAM", decimals: 12 };
const HASH = `0x${"ab".repeat(32)}`;
const BLOCK = `0x${"cd".repeat(32)}`;
const sent = { hash: HASH, signer: "5Signer", nonce: 4 };

Deno.test("a transaction's wait is told step by step", () => {
  assertEquals(describeProgress({ kind: "submitted", hash: HASH }), `Submitted ${HASH}`);
  assertEquals(
    describeProgress({ kind: "in-block", number: 7, blockHash: BLOCK, waiting: true }),
    `In block #7 (${BLOCK}), waiting for finality…`,
  );
});

Deno.test("a finalized transaction says where, a line a person reads first, and its events in STREAM", () => {
  const outcome: TxOutcome = {
    ...sent,
    status: "finalized",
    blockHash: BLOCK,
    blockNumber: 7,
    events: [
      {
        pallet: "Streams",
        name: "StreamCreated",
        fields: { id: 3, creator: "5C", pricePerSecond: "10000000000", deposit: "1012000000000" },
      },
      {
        pallet: "TransactionPayment",
        name: "TransactionFeePaid",
        fields: { who: "5C", actualFee: "1250000000", tip: "0" },
      },
    ],
  };
  const { code, lines } = describeOutcome(
    outcome,
    runtime.metadata(),
    amountFormat(STREAM),
    60_000,
  );
  assertEquals(code, 0);
  assertEquals(lines, [
    `Finalized in #7 (${BLOCK})`,
    "Created stream #3 at 0.6 STREAM/min",
    "Fee: 0.00125 STREAM",
    '  Streams.StreamCreated {"id":3,"creator":"5C","pricePerSecond":"0.01 STREAM/s","deposit":"1.012 STREAM"}',
    '  TransactionPayment.TransactionFeePaid {"who":"5C","actualFee":"0.00125 STREAM","tip":"0 STREAM"}',
  ]);
  const exact = describeOutcome(
    outcome,
    runtime.metadata(),
    amountFormat(STREAM, { planck: true }),
    60_000,
  );
  assertEquals(exact.lines[2], "Fee: 1250000000 planck");
});

Deno.test("a stalled wait exits 1 and says how to tell whether the transaction went in", () => {
  const { code, lines } = describeOutcome(
    { ...sent, status: "stalled", events: [] },
    runtime.metadata(),
    amountFormat(STREAM),
    60_000,
  );
  assertEquals(code, 1);
  assertEquals(lines, [
    "No new block and no word on the transaction for 60 s: the chain seems stalled, so this stops waiting.",
    `Transaction ${HASH} may still be included. To check, deno task node query balance 5Signer ` +
    "prints the signer's nonce: 4 until it is included, 5 after.",
  ]);
});
