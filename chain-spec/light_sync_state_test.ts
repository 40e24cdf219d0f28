import assert from "node:assert/strict";
import fc from "fast-check";
import { blockHash, type DigestItem, encodeHeader } from "../runtime/block/header.ts";
import { encode, t } from "../runtime/codec/types.ts";
import { authorityListType, scheduledChangeLog } from "../runtime/consensus/grandpa.ts";
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { concatBytes } from "../runtime/primitives/bytes.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { rawSpec } from "./build.ts";
import { specCheckpoint } from "./checkpoint.ts";
import { specGenesis } from "./genesis.ts";
import { type Checkpoint, decodeLightSyncState, encodeLightSyncState } from "./light_sync_state.ts";
import { devSpec, localSpec } from "./presets.ts";
import { ChainSpecError, validateChainSpec } from "./spec.ts";

const key = (uri: string) => keypairFromUri(uri).publicKey;
const [alice, bob] = [key("//Alice"), key("//Bob")];

/** A finalized header at #20 that schedules a change, and the set voting above it. */
const CHECKPOINT: Checkpoint = {
  header: {
    parentHash: new Uint8Array(32).fill(7),
    number: 20,
    stateRoot: new Uint8Array(32).fill(8),
    extrinsicsRoot: new Uint8Array(32).fill(9),
    digest: [scheduledChangeLog([alice, bob])],
  },
  set: { setId: 2n, authorities: [alice, bob] },
};

/** SCALE of a GRANDPA `AuthoritySet` from its parts (`rest`: pending changes and history). */
function authoritySet(list: [Uint8Array, bigint][], setId: bigint, rest: Uint8Array): string {
  return toHex(concatBytes(encode(authorityListType, list), encode(t.u64, setId), rest));
}

/** Nothing pending, no best finalized number, no history. */
const NOTHING_PENDING = new Uint8Array([0, 0, 0, 0]);

Deno.test("encodeLightSyncState() and decodeLightSyncState() round-trip a checkpoint", () => {
  const header = fc.record({
    parentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    number: fc.integer({ min: 0, max: 0xffffffff }),
    stateRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    extrinsicsRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    digest: fc.boolean().map((change): DigestItem[] => change ? [scheduledChangeLog([alice])] : []),
  });
  const set = fc.record({
    setId: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    authorities: fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
      minLength: 1,
      maxLength: 8,
      selector: toHex,
    }),
  });
  fc.assert(fc.property(header, set, (header, set) => {
    const back = decodeLightSyncState(encodeLightSyncState({ header, set }));
    assert.deepEqual(toHex(blockHash(back.header)), toHex(blockHash(header)));
    assert.equal(back.set.setId, set.setId);
    assert.deepEqual(back.set.authorities.map(toHex), set.authorities.map(toHex));
  }));
});

Deno.test("the lightSyncState fields are Substrate's: a SCALE header and GRANDPA AuthoritySet", () => {
  const json = encodeLightSyncState(CHECKPOINT);
  assert.deepEqual(Object.keys(json), ["finalizedBlockHeader", "grandpaAuthoritySet"]);
  assert.equal(json.finalizedBlockHeader, toHex(encodeHeader(CHECKPOINT.header)));
  // Two authorities of weight 1, set 2, no pending changes, best finalized #20, no history.
  const tail = concatBytes(new Uint8Array([0, 1]), encode(t.u32, 20), new Uint8Array([0, 0]));
  assert.equal(json.grandpaAuthoritySet, authoritySet([[alice, 1n], [bob, 1n]], 2n, tail));
});

Deno.test("garbage in lightSyncState is a ChainSpecError, never a crash", () => {
  const hex = fc.uint8Array({ maxLength: 200 }).map(toHex);
  fc.assert(fc.property(hex, hex, (finalizedBlockHeader, grandpaAuthoritySet) => {
    try {
      decodeLightSyncState({ finalizedBlockHeader, grandpaAuthoritySet });
    } catch (e) {
      assert.ok(e instanceof ChainSpecError, String(e));
    }
  }));
});

const GOOD = encodeLightSyncState(CHECKPOINT);

/** Bad `lightSyncState`s, the field validation must name and what it must say. */
const BAD: [string, unknown, string, RegExp][] = [
  ["not an object", "0x00", "lightSyncState", /expected an object/],
  [
    "a BABE field",
    { ...GOOD, babeEpochChanges: "0x00" },
    "lightSyncState.babeEpochChanges",
    /unknown field \(a checkpoint holds finalizedBlockHeader and grandpaAuthoritySet/,
  ],
  [
    "no header",
    { grandpaAuthoritySet: GOOD.grandpaAuthoritySet },
    "lightSyncState.finalizedBlockHeader",
    /expected 0x hex \(SCALE\)/,
  ],
  [
    "a header that is not hex",
    { ...GOOD, finalizedBlockHeader: "0xzz" },
    "lightSyncState.finalizedBlockHeader",
    /expected 0x hex/,
  ],
  [
    "a truncated header",
    { ...GOOD, finalizedBlockHeader: GOOD.finalizedBlockHeader.slice(0, 70) },
    "lightSyncState.finalizedBlockHeader",
    /Cannot decode the header: unexpected end of input/,
  ],
  [
    "an authority set with trailing bytes",
    { ...GOOD, grandpaAuthoritySet: GOOD.grandpaAuthoritySet + "00" },
    "lightSyncState.grandpaAuthoritySet",
    /Cannot decode the authority set: 1 trailing bytes/,
  ],
  [
    "a pending standard change",
    { ...GOOD, grandpaAuthoritySet: authoritySet([[alice, 1n]], 1n, new Uint8Array([4, 0])) },
    "lightSyncState.grandpaAuthoritySet",
    /a pending set change \(this chain enacts each change once the block scheduling it is final\)/,
  ],
  [
    "a pending forced change",
    {
      ...GOOD,
      grandpaAuthoritySet: authoritySet([[alice, 1n]], 1n, new Uint8Array([0, 0, 4, 0])),
    },
    "lightSyncState.grandpaAuthoritySet",
    /a pending set change/,
  ],
  [
    "a weight of 2",
    { ...GOOD, grandpaAuthoritySet: authoritySet([[alice, 2n]], 1n, NOTHING_PENDING) },
    "lightSyncState.grandpaAuthoritySet",
    /has weight 2: every authority here votes with 1/,
  ],
  [
    "no authorities",
    { ...GOOD, grandpaAuthoritySet: authoritySet([], 1n, NOTHING_PENDING) },
    "lightSyncState.grandpaAuthoritySet",
    /no authorities/,
  ],
  [
    "an authority twice",
    {
      ...GOOD,
      grandpaAuthoritySet: authoritySet([[alice, 1n], [alice, 1n]], 1n, NOTHING_PENDING),
    },
    "lightSyncState.grandpaAuthoritySet",
    /is in the set twice/,
  ],
];

for (const [what, lightSyncState, field, message] of BAD) {
  Deno.test(`validateChainSpec() refuses a lightSyncState with ${what}`, () => {
    assert.throws(() => validateChainSpec({ ...devSpec(), lightSyncState }), (e) => {
      assert.ok(e instanceof ChainSpecError);
      assert.equal(e.field, field);
      assert.match(e.message, new RegExp(`^Invalid chain spec: ${field.replace(".", "\\.")}: `));
      assert.match(e.message, message);
      return true;
    });
  });
}

Deno.test("specCheckpoint() is the spec's lightSyncState, or else its genesis and first set", () => {
  const spec = localSpec();
  const genesis = specCheckpoint(spec);
  assert.equal(toHex(blockHash(genesis.header)), toHex(blockHash(specGenesis(spec).header)));
  // Staking's genesis installs the first set, as each era boundary does the next.
  assert.equal(genesis.set.setId, 1n);
  assert.deepEqual(
    genesis.set.authorities.map(toHex).sort(),
    ["//Alice", "//Bob", "//Charlie", "//Dave"].map((u) => toHex(key(u))).sort(),
  );
  assert.deepEqual(specCheckpoint(rawSpec(spec)), genesis, "raw or not, the same genesis");

  const withCheckpoint = validateChainSpec({ ...spec, lightSyncState: GOOD });
  const start = specCheckpoint(withCheckpoint);
  assert.equal(toHex(blockHash(start.header)), toHex(blockHash(CHECKPOINT.header)));
  assert.deepEqual(start.set, CHECKPOINT.set);
});
