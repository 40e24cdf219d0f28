import assert from "node:assert/strict";
import { rtp } from "./_rtp_fixture.ts";
import { OutgoingNumbering, PacketFields } from "./numbering.ts";
import { isRtcp, payloadType } from "./rtp.ts";

function header(packet: Uint8Array) {
  const view = new DataView(packet.buffer);
  return { seq: view.getUint16(2), timestamp: view.getUint32(4), ssrc: view.getUint32(8) };
}

Deno.test("OutgoingNumbering keeps one SSRC and unbroken numbering across a new source", () => {
  const out = new OutgoingNumbering(0xdeadbeef, 90_000);
  const fields = new PacketFields();
  const send = (packet: Uint8Array, now: number) =>
    out.rewrite(packet, fields.read(packet, false), now);
  const a = rtp(65535, 4_294_967_000, 1);
  assert.ok(send(a, 1000));
  assert.deepEqual(header(a), { seq: 65535, timestamp: 4_294_967_000, ssrc: 0xdeadbeef });
  const b = rtp(0, 4_294_967_100, 1);
  send(b, 1001);
  assert.equal(header(b).seq, 0, "sequence numbers wrap");
  out.restart();
  const c = rtp(500, 77, 2);
  send(c, 1041);
  assert.deepEqual(header(c), {
    seq: 1,
    timestamp: (4_294_967_100 + 40 * 90) >>> 0, // the 40 ms since the last packet sent
    ssrc: 0xdeadbeef,
  });
  const late = rtp(499, 0, 2);
  assert.equal(send(late, 1042), false, "a packet from before the restart has no number left");
  assert.equal(header(late).seq, 499, "and is left be");
  const d = rtp(501, 3077, 2);
  send(d, 1043);
  assert.equal(header(d).seq, 2);
  assert.equal(header(d).timestamp, (4_294_967_100 + 40 * 90 + 3000) >>> 0);
  assert.equal(payloadType(d), 96);
  assert.ok(!isRtcp(d));
});

/** A VP8 packet: descriptor with X, I (15-bit PictureID `picture`), L (`tl0`), T; a frame tag. */
function vp8(seq: number, timestamp: number, picture: number, tl0: number): Uint8Array {
  const packet = new Uint8Array(22);
  packet.set(rtp(seq, timestamp, 7).subarray(0, 12));
  packet.set([0x90, 0xe0, 0x80 | (picture >> 8), picture & 0xff, tl0, 0x20, 0x00], 12);
  return packet;
}

function picture(packet: Uint8Array): { picture: number; tl0: number } {
  return { picture: ((packet[14] & 0x7f) << 8) | packet[15], tl0: packet[16] };
}

Deno.test("OutgoingNumbering carries the VP8 PictureID and TL0PICIDX on across a change of layer", () => {
  const out = new OutgoingNumbering(9, 90_000);
  const fields = new PacketFields();
  const first = vp8(10, 1000, 0x7ffe, 250);
  out.rewrite(first, fields.read(first, true), 0);
  assert.deepEqual(picture(first), { picture: 0x7ffe, tl0: 250 });
  assert.equal(fields.pictureBits, 15);
  // Another viewer's lane forks the numbering and moves to a layer numbered its own way.
  const fork = out.fork();
  fork.restart();
  const other = vp8(3000, 5_000_000, 17, 4);
  fork.rewrite(other, fields.read(other, true), 10);
  assert.deepEqual(header(other), { seq: 11, timestamp: 1000 + 900, ssrc: 9 });
  assert.deepEqual(picture(other), { picture: 0x7fff, tl0: 251 });
  assert.equal(other[14] & 0x80, 0x80, "the M bit stays: 15 bits, the same length");
  const next = vp8(3001, 5_003_000, 18, 5);
  fork.rewrite(next, fields.read(next, true), 43);
  assert.deepEqual(picture(next), { picture: 0, tl0: 252 }, "the PictureID wraps at 15 bits");
  // The original lane goes on untouched.
  const own = vp8(11, 4000, 0x7fff, 251);
  out.rewrite(own, fields.read(own, true), 33);
  assert.deepEqual(header(own), { seq: 11, timestamp: 4000, ssrc: 9 });
  assert.deepEqual(picture(own), { picture: 0x7fff, tl0: 251 });
});

Deno.test("PacketFields reads a 7-bit PictureID and no TL0PICIDX, and nothing of other codecs", () => {
  const packet = new Uint8Array(16);
  packet.set(rtp(1, 1, 1).subarray(0, 12));
  packet.set([0x90, 0x80, 0x05, 0x00], 12);
  const fields = new PacketFields().read(packet, true);
  assert.deepEqual([fields.pictureAt, fields.pictureBits, fields.picture, fields.tl0At], [
    14,
    7,
    5,
    -1,
  ]);
  assert.equal(new PacketFields().read(packet, false).pictureAt, -1);
  const out = new OutgoingNumbering(1, 90_000);
  out.rewrite(packet, fields, 0);
  out.restart();
  const next = packet.slice();
  next[14] = 0x70;
  out.rewrite(next, new PacketFields().read(next, true), 1);
  assert.equal(next[14], 6, "7 bits stay 7 bits");
});
