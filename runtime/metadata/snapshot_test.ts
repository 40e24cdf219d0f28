/**
 * A snapshot of the runtime's SCALE metadata: the V14 and V15 bytes the dev
 * chain serves (`Metadata_metadata_at_version`) and the RFC 78 metadata
 * hash, pinned by length and blake2-256 in `testdata/metadata_snapshot.json`.
 *
 * Reshaping the pallet framework must not move a byte of what clients read.
 * When a change of metadata is intended (a new call, a spec bump), note it
 * in the commit and write the figures this test prints into the fixture.
 */
import assert from "node:assert/strict";
import { RUNTIME_API_METADATA } from "../api/mod.ts";
import { runtime } from "../mod.ts";
import { toHex } from "../primitives/hex.ts";
import { blake2_256 } from "../primitives/hashing.ts";
import { TestExt } from "../testing/mod.ts";
import { metadataBytes, metadataHash } from "./mod.ts";
import snapshot from "./testdata/metadata_snapshot.json" with { type: "json" };

/** What the fixture pins of some bytes. */
function figures(bytes: Uint8Array): { length: number; blake2_256: string } {
  return { length: bytes.length, blake2_256: toHex(blake2_256(bytes)) };
}

const state = new TestExt().state;

for (const version of [14, 15] as const) {
  Deno.test(`metadata V${version} served on the dev chain is byte-identical to the snapshot`, () => {
    const actual = figures(metadataBytes(runtime, version, state, RUNTIME_API_METADATA));
    assert.deepEqual(
      actual,
      snapshot[`v${version}`],
      `metadata V${version} changed: if intended, note it and pin ${JSON.stringify(actual)}`,
    );
  });
}

Deno.test("the metadata hash (RFC 78) is the snapshot's", () => {
  const actual = toHex(metadataHash(runtime));
  assert.equal(actual, snapshot.metadataHash, `metadata hash changed: if intended, pin ${actual}`);
});
