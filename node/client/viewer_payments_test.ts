import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import type { SessionMessage, ViewerMessage } from "../relay/pay/messages.ts";
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
function firstVoucher(session: SessionMessage, baseline?: bigint): bigint {
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
