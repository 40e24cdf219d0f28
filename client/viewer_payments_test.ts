import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import type { SessionMessage, ViewerMessage } from "./relay/pay_messages.ts";
import { ViewerPayments } from "./viewer_payments.ts";

const SESSION: SessionMessage = {
  type: "session",
  stream: 1,
  price: "10",
  graceSeconds: 3,
  channel: "0x7",
  relay: null,
  era: 0,
  genesis: `0x${"11".repeat(32)}`,
};

/** The amount of the first voucher sent after `session`, with the viewer knowing `baseline`. */
function firstVoucher(
  session: SessionMessage,
  baseline?: bigint | ((relay: string | null) => bigint),
): bigint {
  const sent: ViewerMessage[] = [];
  const payments = new ViewerPayments((m) => sent.push(m), {
    key: keypairFromUri("//Bob"),
    baseline,
  }, () => 0);
  try {
    payments.onMessage(session);
    const voucher = sent.find((m) => m.type === "voucher");
    if (!voucher || voucher.type !== "voucher") throw new Error("no voucher sent");
    return BigInt(voucher.amount);
  } finally {
    payments.stop();
  }
}

Deno.test("the first voucher prepays one second over what the channel already covered", () => {
  assertEquals(firstVoucher(SESSION), 10n);
  // The relay says earlier sessions were paid up to 500: the viewer continues from there.
  assertEquals(firstVoucher({ ...SESSION, paid: "500" }), 510n);
  // The viewer's own record wins when it is higher (the relay may not hold its newest voucher).
  assertEquals(firstVoucher({ ...SESSION, paid: "500" }, 800n), 810n);
  assertEquals(firstVoucher({ ...SESSION, paid: "900" }, 800n), 910n);
});

Deno.test("a viewer sent on to another relay continues from what that relay's lane covered", () => {
  // Vouchers are cumulative per channel and payee: what was paid to one relay is no
  // baseline for another, so the viewer's record is asked for the relay that serves.
  const [a, b, c] = ["//Alice", "//Bob", "//Charlie"].map((uri) =>
    ss58Encode(keypairFromUri(uri).publicKey)
  );
  const lanes = new Map([[a, 800n], [b, 30n]]);
  const laneOf = (relay: string | null) => lanes.get(relay ?? "") ?? 0n;
  assertEquals(firstVoucher({ ...SESSION, relay: b }, laneOf), 40n);
  assertEquals(firstVoucher({ ...SESSION, relay: a, paid: "500" }, laneOf), 810n);
  assertEquals(firstVoucher({ ...SESSION, relay: c }, laneOf), 10n);
});

Deno.test("a new session's receipts go on from the one the relay holds this era: they are cumulative", async () => {
  const sent: ViewerMessage[] = [];
  const relay = ss58Encode(keypairFromUri("//Alice").publicKey);
  let received = 300;
  const payments = new ViewerPayments((m) => sent.push(m), {
    key: keypairFromUri("//Bob"),
    receiptIntervalMs: 5,
  }, () => received);
  try {
    payments.onMessage({ ...SESSION, relay, receipt: { seconds: 40, bytes: "1000" } });
    received += 250;
    const deadline = Date.now() + 5_000;
    let receipt: ViewerMessage | undefined;
    while (!(receipt = sent.find((m) => m.type === "receipt")) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (!receipt || receipt.type !== "receipt") throw new Error("no receipt sent");
    // 40 s and 1000 bytes held, then 250 bytes more within the first second.
    assertEquals([receipt.seconds, receipt.bytes], [40, "1250"]);
  } finally {
    payments.stop();
  }
});
