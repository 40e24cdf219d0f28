import assert from "node:assert/strict";
import { rtp } from "./_rtp_fixture.ts";
import { headerExtension, isRtcp, payloadOffset, readFeedback } from "./rtp.ts";

Deno.test("headerExtension() reads the one-byte and two-byte forms", () => {
  const rid = new TextEncoder().encode("h");
  // One-byte: padding, id 1 (two bytes), id 10 ("h"), padding to a word.
  const one = new Uint8Array(24);
  one.set(rtp(1, 1, 1).subarray(0, 12));
  one[0] = 0x90;
  one.set([0xbe, 0xde, 0, 2, 0, 0x11, 0xaa, 0xbb, 0xa0, rid[0], 0, 0], 12);
  assert.deepEqual(headerExtension(one, 10), rid);
  assert.deepEqual(headerExtension(one, 1), new Uint8Array([0xaa, 0xbb]));
  assert.equal(headerExtension(one, 3), undefined);
  // Two-byte (0x100X): id 12, length 1 ("h"), then id 20 of length 0.
  const two = new Uint8Array(24);
  two.set(rtp(1, 1, 1).subarray(0, 12));
  two[0] = 0x90;
  two.set([0x10, 0x00, 0, 2, 20, 0, 12, 1, rid[0], 0, 0, 0], 12);
  assert.deepEqual(headerExtension(two, 12), rid);
  assert.deepEqual(headerExtension(two, 20), new Uint8Array(0));
  // An extension header running past the packet.
  one[15] = 9;
  assert.equal(headerExtension(one, 10), undefined);
  assert.equal(headerExtension(rtp(1, 1, 1), 10), undefined, "no X bit");
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
