import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import type { ViewerStats } from "./headless_viewer.ts";
import { httpBase } from "./stream_token.ts";
import { formatTick } from "./watch.ts";
import { amountFormat } from "./amounts.ts";

Deno.test("httpBase() keeps the RPC's host and port and swaps the scheme", () => {
  assertEquals(httpBase("ws://127.0.0.1:9944"), "http://127.0.0.1:9944");
  assertEquals(httpBase("wss://node.example:443/"), "https://node.example");
  assertEquals(httpBase("http://localhost:9000/rpc"), "http://localhost:9000");
  throws(() => httpBase("ftp://x"), /expected a ws, wss, http or https URL/);
});

const reading = (packets: number, bytes: number, frames: number, lost: number) => ({
  packets,
  bytes,
  frames,
  keyframes: 0,
  lost,
  jitterMs: 0,
});

Deno.test("formatTick() shows the last second's frame rate, bitrate and loss, and the total paid in the token", () => {
  const before: ViewerStats = {
    video: reading(100, 100_000, 10, 0),
    audio: reading(50, 8_000, 50, 0),
    paid: 10n,
  };
  const now: ViewerStats = {
    video: reading(382, 412_500, 40, 3),
    audio: reading(100, 16_000, 100, 0),
    paid: 20_000_000_000n,
  };
  const token = { symbol: "STREAM", decimals: 12 };
  assertEquals(
    formatTick(2, before, now, amountFormat(token)),
    "   2s   30 fps  2.56 Mbit/s  loss 1.1%  paid 0.02 STREAM",
  );
  assertEquals(
    formatTick(2, before, now, amountFormat(token, { planck: true })),
    "   2s   30 fps  2.56 Mbit/s  loss 1.1%  paid 20000000000 planck",
  );
});
