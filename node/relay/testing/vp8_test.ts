import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startsVp8Frame, startsVp8Keyframe } from "../media/keyframe.ts";
import { sentAtOf, synthesizeFrame } from "./vp8.ts";

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
  assertEquals(key.map(startsVp8Keyframe), [true, false, false]);
  assertEquals(key.map(startsVp8Frame), [true, false, false]);
  assertEquals(delta.map(startsVp8Keyframe), [false, false, false]);
  assertEquals(delta.map(startsVp8Frame), [true, false, false]);
  // RFC 6386 §9.1 start code after the 3-byte payload header
  assertEquals([...key[0].subarray(7, 10)], [0x9d, 0x01, 0x2a]);
  assertEquals(key.map(sentAtOf), [5, 5, 5]);
  assertEquals(sentAtOf(new Uint8Array(40)), undefined);
});
