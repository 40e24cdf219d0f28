import { ok } from "node:assert/strict";
import { startsH264Keyframe, startsVp8Keyframe } from "./keyframe.ts";

Deno.test("VP8: keyframes are found past every optional descriptor field", () => {
  // X=1, S=1, PID=0; I with a 15-bit picture id, L, T/K; then P=0.
  ok(startsVp8Keyframe(new Uint8Array([0x90, 0xe0, 0x80, 0x01, 0x02, 0x03, 0x9c])));
  // The same with P=1: an interframe.
  ok(!startsVp8Keyframe(new Uint8Array([0x90, 0xe0, 0x80, 0x01, 0x02, 0x03, 0x9d])));
  // A 7-bit picture id only.
  ok(startsVp8Keyframe(new Uint8Array([0x90, 0x80, 0x05, 0x10])));
  // Not the start of partition 0.
  ok(!startsVp8Keyframe(new Uint8Array([0x00, 0x00])));
  ok(!startsVp8Keyframe(new Uint8Array([0x11, 0x00])));
  // Truncated.
  ok(!startsVp8Keyframe(new Uint8Array([0x90, 0x80])));
  ok(!startsVp8Keyframe(new Uint8Array([])));
});

Deno.test("H.264: SPS and IDR start keyframes, alone, aggregated or fragmented", () => {
  ok(startsH264Keyframe(new Uint8Array([0x65, 0x88]))); // IDR
  // STAP-A: SPS (2 bytes) then PPS.
  ok(startsH264Keyframe(new Uint8Array([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68])));
  ok(!startsH264Keyframe(new Uint8Array([0x78, 0x00, 0x01, 0x68, 0x00, 0x01, 0x06])));
  // FU-A: start of an IDR, then a middle fragment.
  ok(startsH264Keyframe(new Uint8Array([0x7c, 0x85, 0x00])));
  ok(!startsH264Keyframe(new Uint8Array([0x7c, 0x05, 0x00])));
  ok(!startsH264Keyframe(new Uint8Array([0x7c, 0x81, 0x00]))); // a non-IDR slice
});
