import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { sentAtOf, synthesizeFrame } from "../relay/testing/vp8.ts";
import { RtpMeter } from "./rtp_meter.ts";

const packet = (sequenceNumber: number, timestamp = 0, marker = false) => ({
  sequenceNumber,
  timestamp,
  marker,
});
const payload = new Uint8Array(10);

Deno.test("RtpMeter counts no loss across the sequence number wrap", () => {
  const meter = new RtpMeter({ clockRate: 90_000 });
  for (const seq of [65534, 65535, 0, 1]) meter.add(packet(seq), payload, 0);
  assertEquals(meter.read().lost, 0);
  meter.add(packet(4), payload, 0);
  assertEquals(meter.read().lost, 2);
});

Deno.test("RtpMeter takes a late, reordered packet as filling its gap", () => {
  const meter = new RtpMeter({ clockRate: 90_000 });
  for (const seq of [10, 12, 11, 13]) meter.add(packet(seq), payload, 0);
  assertEquals(meter.read().lost, 0);
  assertEquals(meter.read().packets, 4);
});

Deno.test("RtpMeter jitter is zero for evenly spaced packets and grows with uneven arrival", () => {
  const meter = new RtpMeter({ clockRate: 90_000 });
  for (let i = 0; i < 30; i++) meter.add(packet(i, i * 3000), payload, i * 1000 / 30);
  assert(meter.read().jitterMs < 1e-6);
  for (let i = 30; i < 60; i++) {
    meter.add(packet(i, i * 3000), payload, i * 1000 / 30 + (i % 2) * 10);
  }
  assert(meter.read().jitterMs > 3, `${meter.read().jitterMs}`);
});

Deno.test("RtpMeter counts VP8 keyframes and frame delays only when reading VP8", () => {
  const frame = synthesizeFrame({
    keyframe: true,
    pictureId: 1,
    packets: 2,
    packetBytes: 64,
    sentAt: performance.timeOrigin + performance.now() - 5,
  });
  const vp8 = new RtpMeter({ clockRate: 90_000, vp8: true, latencies: true });
  const plain = new RtpMeter({ clockRate: 48_000 });
  for (const meter of [vp8, plain]) {
    meter.add(packet(1), frame[0], 0);
    meter.add(packet(2, 0, true), frame[1], 0);
  }
  assertEquals(vp8.read().keyframes, 1);
  assertEquals(vp8.read().frames, 1);
  assertEquals(plain.read().keyframes, 0);
  const [{ sentAt, delayMs }] = vp8.takeLatencies();
  assertEquals(sentAt, sentAtOf(frame[0]));
  assert(delayMs >= 5 && delayMs < 50, `${delayMs}`);
  assertEquals(vp8.takeLatencies(), []);
  assertEquals(plain.takeLatencies(), []);
});
