import assert from "node:assert/strict";
import { decodeStatus, encodeStatus, MAX_STATUS_BYTES, type Status } from "./status.ts";

const status: Status = {
  genesisHash: new Uint8Array(32).fill(7),
  role: "authority",
  name: "ä".repeat(40),
  best: { number: 2 ** 32 - 1, hash: new Uint8Array(32).fill(1) },
  finalized: { number: 7, hash: new Uint8Array(32).fill(2) },
};

Deno.test("a status round-trips with its chain head; the name is cut to 64 bytes", () => {
  const bytes = encodeStatus(status);
  assert.equal(bytes.length, MAX_STATUS_BYTES);
  assert.deepEqual(decodeStatus(bytes), { ...status, name: "ä".repeat(32) });
});

Deno.test("a peer claiming a finalized block above its best is refused at the handshake", () => {
  const bytes = encodeStatus({ ...status, best: { ...status.best, number: 6 } });
  assert.throws(() => decodeStatus(bytes), /Cannot decode status: finalized #7 above best #6/);
});

Deno.test("a version-1 status (no chain head) is refused by its version", () => {
  const bytes = encodeStatus(status);
  bytes[0] = 1;
  assert.throws(() => decodeStatus(bytes), /Cannot decode status: unknown version 1/);
  assert.throws(() => decodeStatus(bytes.subarray(0, 34)), /length 34 outside 106\.\.170/);
});
