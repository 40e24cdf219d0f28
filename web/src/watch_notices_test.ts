import assert from "node:assert/strict";
import type { RelayMessage } from "../../client/relay/pay_messages.ts";
import { logLine, noticeFor } from "./watch_notices.ts";

const price = 1_000_000_000n;
const spent = { depositLeft: price - 1n, pricePerSecond: price };
const plenty = { depositLeft: 100n * price, pricePerSecond: price };

/** Every viewer-facing text: no planck, no protocol words. */
function assertHuman(text: string): void {
  assert.doesNotMatch(text, /planck|voucher|receipt|cumulative|\d{6,}/, text);
}

Deno.test("refusals never reach the viewer, whatever they say; the console gets them", () => {
  const refusals: RelayMessage[] = [
    {
      type: "refused",
      what: "voucher",
      reason: "amount 320000000000 exceeds the channel's deposit 300000000000",
    },
    {
      type: "refused",
      what: "receipt",
      reason: "the receipt goes back on the one held (12 s, 4000 bytes): they are cumulative",
    },
  ];
  for (const message of refusals) {
    assert.deepEqual(noticeFor(message, spent), { show: false });
    assert.deepEqual(noticeFor(message, plenty), { show: false });
    assert.match(logLine(message)!, /^relay refused a (voucher|receipt): /);
  }
});

Deno.test("payments behind with a spent deposit: top up, in words, before the cut-off", () => {
  const warning: RelayMessage = {
    type: "warning",
    reason: "vouchers cover 300000000000 planck of 302000000000 owed",
    cutoffIn: 4,
  };
  const notice = noticeFor(warning, spent);
  assert.ok(notice.show && notice.topUp && notice.level === "warn");
  assert.match(notice.text, /top up now .* stops in 4 s/);
  assertHuman(notice.text);
  // Behind with money left: the page is slow, not the viewer; it catches up unseen.
  assert.deepEqual(noticeFor(warning, plenty), { show: false });
  assert.deepEqual(noticeFor(warning, { pricePerSecond: price }), { show: false });
});

Deno.test("a cut-off says why and what to do, with no planck", () => {
  const cutoff: RelayMessage = {
    type: "cutoff",
    reason: "vouchers cover 300000000000 planck of 350000000000 owed, more than 5 s behind",
  };
  const ranOut = noticeFor(cutoff, spent);
  assert.ok(ranOut.show && ranOut.topUp);
  assert.match(ranOut.text, /deposit ran out.*Top up/);
  assertHuman(ranOut.text);
  const behind = noticeFor(cutoff, plenty);
  assert.ok(behind.show && !behind.topUp && behind.level === "error");
  assert.match(behind.text, /Press Watch/);
  assertHuman(behind.text);
});
