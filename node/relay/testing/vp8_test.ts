import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { isVp8FrameStart, isVp8Keyframe, sentAtOf, synthesizeFrame } from "./vp8.ts";

Deno.test("synthesizeFrame() flags only a keyframe's first packet as a keyframe", () => {
  const key = synthesizeFrame({
    keyframe: true,
    pictureId: 0x1234,
    packets: 3,
    packetBytes: 100,
    sentAt: 5,
  });
  const delta = synthesizeFrame({
    keyframe: false,
    pictureId: 0x1235,
    packets: 3,
    packetBytes: 100,
    sentAt: 6,
  });
  assertEquals(key.map(isVp8Keyframe), [true, false, false]);
  assertEquals(key.map(isVp8FrameStart), [true, false, false]);
  assertEquals(delta.map(isVp8Keyframe), [false, false, false]);
  assertEquals(delta.map(isVp8FrameStart), [true, false, false]);
  // RFC 6386 §9.1 start code after the 3-byte payload header
  assertEquals([...key[0].subarray(7, 10)], [0x9d, 0x01, 0x2a]);
  assertEquals(key.map(sentAtOf), [5, 5, 5]);
  assertEquals(sentAtOf(new Uint8Array(40)), undefined);
});

Deno.test("isVp8Keyframe() reads descriptors without extensions and with a 7-bit PictureID", () => {
  // S=1, no X: payload header directly after byte 0; P=0
  assertEquals(isVp8Keyframe(new Uint8Array([0x10, 0x10, 0, 0])), true);
  assertEquals(isVp8Keyframe(new Uint8Array([0x10, 0x11, 0, 0])), false);
  // X, I with a 7-bit PictureID, then the payload header
  assertEquals(isVp8Keyframe(new Uint8Array([0x90, 0x80, 0x05, 0x10])), true);
  // partition index 1 is not a frame start
  assertEquals(isVp8Keyframe(new Uint8Array([0x11, 0x10, 0, 0])), false);
  assertEquals(isVp8Keyframe(new Uint8Array([0x90])), false);
});
