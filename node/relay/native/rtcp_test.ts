import assert from "node:assert/strict";
import { pli, receiverReport, ReceiveStatistics, remb, senderReports } from "./rtcp.ts";
import { readFeedback } from "./rtp.ts";

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);
}

Deno.test("pli() asks one SSRC for a keyframe, as readFeedback() reads it", () => {
  const packet = pli(0x11, 0xabcdef01);
  assert.deepEqual([...packet.subarray(0, 4)], [0x81, 206, 0, 2]);
  assert.equal(u32(packet, 4), 0x11);
  assert.equal(u32(packet, 8), 0xabcdef01);
  assert.equal(readFeedback(packet).keyframe, true);
});

Deno.test("remb() writes the bitrate as mantissa and exponent, for every SSRC", () => {
  const packet = remb(7, 3_000_000, [1, 2, 3]);
  assert.equal(packet.length, 32);
  assert.deepEqual([...packet.subarray(0, 4)], [0x8f, 206, 0, 7]);
  assert.equal(new TextDecoder().decode(packet.subarray(12, 16)), "REMB");
  assert.equal(packet[16], 3);
  const exponent = packet[17] >> 2;
  const mantissa = ((packet[17] & 3) << 16) | (packet[18] << 8) | packet[19];
  const bitrate = mantissa * 2 ** exponent;
  assert.ok(bitrate <= 3_000_000 && bitrate > 2_999_000, `${bitrate}`);
  assert.deepEqual([u32(packet, 20), u32(packet, 24), u32(packet, 28)], [1, 2, 3]);
  assert.equal(remb(7, 100_000, [])[17] >> 2, 0, "a small bitrate needs no exponent");
});

Deno.test("a receiver report counts loss across a sequence wrap and echoes the last SR", () => {
  const statistics = new ReceiveStatistics();
  for (const [i, seq] of [65533, 65534, 65535, 1].entries()) {
    statistics.packet(seq, 1000 + 3000 * i, 1000 + 33 * i, 90_000);
  }
  // An SR whose NTP time is 0x00001234.5678abcd: its middle 32 bits are 0x12345678.
  const sr = new Uint8Array(28);
  sr.set([0x80, 200, 0, 6]);
  new DataView(sr.buffer).setUint32(4, 0x99);
  new DataView(sr.buffer).setUint32(8, 0x00001234);
  new DataView(sr.buffer).setUint32(12, 0x5678abcd);
  const [report] = senderReports(sr);
  assert.deepEqual(report, { ssrc: 0x99, ntpMiddle: 0x12345678 });
  statistics.senderReport(report.ntpMiddle, 2000);
  const rr = receiverReport(0x42, [[0x99, statistics]], 2500);
  assert.equal(rr.length, 32);
  assert.deepEqual([...rr.subarray(0, 4)], [0x81, 201, 0, 7]);
  assert.equal(u32(rr, 4), 0x42);
  const [block] = readFeedback(rr).reports;
  assert.deepEqual([block.ssrc, block.lost, block.highestSeq], [0x99, 1, 0x10001]);
  // Frames 3000 ticks apart arrived 33 ms (2970 ticks) apart: 30 ticks of jitter, smoothed.
  assert.ok(block.jitter >= 4 && block.jitter < 30, `jitter ${block.jitter}`);
  assert.equal(rr[12], 51, "fraction lost: 1 of 5, in 256ths");
  assert.equal(u32(rr, 24), 0x12345678, "LSR");
  assert.equal(u32(rr, 28), 32768, "DLSR: half a second, in 1/65536 s");
  // The next interval starts afresh.
  statistics.packet(2, 13_000, 1200, 90_000);
  assert.equal(receiverReport(0x42, [[0x99, statistics]], 2600)[12], 0);
});

Deno.test("senderReports() ignores other packets and a malformed tail", () => {
  const rr = receiverReport(1, [], 0);
  assert.deepEqual(senderReports(rr), []);
  const truncated = new Uint8Array([0x80, 200, 0, 6, 0, 0, 0, 1]);
  assert.deepEqual(senderReports(truncated), []);
});
