import assert from "node:assert/strict";
import { isRtcp, OutgoingNumbering, payloadOffset, payloadType, readFeedback } from "./rtp.ts";

function rtp(seq: number, timestamp: number, ssrc: number, pt = 96): Uint8Array {
  const packet = new Uint8Array(16);
  const view = new DataView(packet.buffer);
  packet[0] = 0x80;
  packet[1] = 0x80 | pt;
  view.setUint16(2, seq);
  view.setUint32(4, timestamp);
  view.setUint32(8, ssrc);
  return packet;
}

function fields(packet: Uint8Array) {
  const view = new DataView(packet.buffer);
  return { seq: view.getUint16(2), timestamp: view.getUint32(4), ssrc: view.getUint32(8) };
}

Deno.test("OutgoingNumbering keeps one SSRC and unbroken numbering across a new source", () => {
  const out = new OutgoingNumbering(0xdeadbeef, 3000);
  const a = rtp(65535, 4_294_967_000, 1);
  out.rewrite(a);
  assert.deepEqual(fields(a), { seq: 65535, timestamp: 4_294_967_000, ssrc: 0xdeadbeef });
  const b = rtp(0, 4_294_967_100, 1);
  out.rewrite(b);
  assert.equal(fields(b).seq, 0, "sequence numbers wrap");
  out.restart();
  const c = rtp(500, 77, 2);
  out.rewrite(c);
  assert.deepEqual(fields(c), {
    seq: 1,
    timestamp: (4_294_967_100 + 3000) >>> 0,
    ssrc: 0xdeadbeef,
  });
  const late = rtp(499, 0, 2);
  out.rewrite(late);
  assert.equal(fields(late).seq, 0, "a reordered packet keeps its place");
  const d = rtp(501, 3077, 2);
  out.rewrite(d);
  assert.equal(fields(d).seq, 2, "and does not move the count back");
  assert.equal(payloadType(d), 96);
  assert.ok(!isRtcp(d));
});

Deno.test("payloadOffset() skips CSRCs and the header extension, and refuses a short packet", () => {
  const packet = rtp(1, 1, 1);
  assert.equal(payloadOffset(packet), 12);
  packet[0] = 0x81; // one CSRC
  assert.equal(payloadOffset(packet), 16);
  packet[0] = 0x90; // an extension header whose length runs past the packet
  packet[14] = 0;
  packet[15] = 9;
  assert.equal(payloadOffset(packet), -1);
  assert.equal(payloadOffset(new Uint8Array(4)), -1);
});

Deno.test("readFeedback() finds PLI, FIR and report blocks in a compound packet", () => {
  const rr = new Uint8Array(32);
  const view = new DataView(rr.buffer);
  rr[0] = 0x81; // one report block
  rr[1] = 201;
  view.setUint16(2, 7);
  view.setUint32(8, 0xabc);
  view.setUint32(12, 0x00fffffe & 0xffffff); // fraction 0, cumulative lost -2
  view.setUint32(20, 42); // jitter
  const fir = new Uint8Array([0x84, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0]);
  const compound = new Uint8Array([...rr, ...fir]);
  const feedback = readFeedback(compound);
  assert.equal(feedback.keyframe, true);
  assert.deepEqual(feedback.reports, [{ ssrc: 0xabc, lost: -2, highestSeq: 0, jitter: 42 }]);
  assert.ok(isRtcp(compound));
  assert.deepEqual(readFeedback(compound.subarray(0, 30)), { keyframe: false, reports: [] });
});
