/**
 * Behaviour tests of the authorship pallet: the block's slot and author from
 * its `PreRuntime("aura", slot)` digest, the checks on the slot (increasing,
 * an authority to author it, the timestamp inside it) and the authority set.
 *
 * The harness's blocks carry no digest (no author); authored blocks are
 * built beside them with `ext.executive.buildBlock(parent, digest)`.
 */
import assert from "node:assert/strict";
import type { DigestItem, Header } from "../../runtime/block/header.ts";
import { scheduledChangeOf } from "../../runtime/consensus/grandpa.ts";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { type BlockBuilder, BlockError } from "../../runtime/executive/executive.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { encodeBare } from "../../runtime/extrinsic/extrinsic.ts";
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import { utf8 } from "../../runtime/primitives/bytes.ts";
import { runtime } from "../../runtime/mod.ts";
import {
  assertLastEvent,
  dev,
  GENESIS_TIME_MS,
  TestExt,
  thrownBy,
} from "../../runtime/testing/mod.ts";
import { runtimeGenesis } from "../../chain-spec/presets.ts";
import { systemStorage } from "../system/mod.ts";
import { now } from "../timestamp/mod.ts";
import {
  AURA_ENGINE,
  authorities,
  authoritySetId,
  authorshipStorage,
  blockAuthor,
  setAuthorities,
  slotDuration,
  slotOf,
} from "./mod.ts";

const SLOT_MS = 6000n;

/** `PreRuntime("aura", slot as u64 LE)`. */
function slotDigest(slot: bigint, engine = AURA_ENGINE): DigestItem {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, slot, true);
  return { tag: "PreRuntime", value: [utf8(engine), bytes] };
}

/** The `set(now)` inherent. */
function inherent(time: bigint): Uint8Array {
  return encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now: time } }));
}

/** A chain with the four `local` validators (Alice, Bob, Charlie, Dave) authoring. */
function localExt(): TestExt {
  return new TestExt(runtimeGenesis(["Alice", "Bob", "Charlie", "Dave"]));
}

/** The slot the harness's time for block `n` falls in. */
const slotOfBlock = (n: number) => (GENESIS_TIME_MS + BigInt(n) * 6000n) / SLOT_MS;

/** Opens a block on `parent` carrying `slot`. */
function openAt(ext: TestExt, parent: Header, slot: bigint): BlockBuilder {
  return ext.executive.buildBlock(parent, [slotDigest(slot)]);
}

/** Builds and stores a block on `parent` for `slot`, timestamped at the slot's start. */
function authored(ext: TestExt, parent: Header, slot: bigint): Header {
  const block = openAt(ext, parent, slot);
  block.applyExtrinsic(inherent(slot * SLOT_MS));
  const sealed = block.finish();
  ext.store.insert(sealed.nodes);
  return sealed.header;
}

function context(ext: TestExt): DispatchContext {
  return ext.executive.context(ext.state, () => ({ tag: "Initialization" }));
}

Deno.test("a block without a slot digest has no author and leaves the slot alone", () => {
  const ext = localExt();
  assert.equal(blockAuthor(ext.state), undefined);
  assert.equal(authorshipStorage.CurrentSlot.get(ext.state), 0n);
  ext.nextBlock(2);
  assert.equal(blockAuthor(ext.state), undefined);
  assert.equal(authorshipStorage.CurrentSlot.get(ext.state), 0n);
});

Deno.test("the author is the authority at slot % authorities", () => {
  const ext = localExt();
  const keys = authorities(ext.state);
  assert.equal(keys.length, 4);
  const local = [dev.alice, dev.bob, dev.charlie, dev.dave].map((k) => k.publicKey);
  assert.deepEqual(
    [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    [...local].sort((a, b) => a[0] - b[0] || a[1] - b[1]),
  );
  // Four consecutive slots, one block each: each authority in turn.
  let parent = ext.parent;
  const first = slotOfBlock(1);
  for (let i = 0n; i < 4n; i++) {
    const slot = first + i;
    const block = openAt(ext, parent, slot);
    assert.deepEqual(blockAuthor(block.state), keys[Number(slot % 4n)]);
    assert.equal(authorshipStorage.CurrentSlot.get(block.state), slot);
    assert.deepEqual(systemStorage.Digest.get(block.state), [slotDigest(slot)]);
    parent = authored(ext, parent, slot);
  }
});

Deno.test("the author is cleared when the block ends; the slot is kept", () => {
  const ext = localExt();
  const slot = slotOfBlock(1);
  const header = authored(ext, ext.parent, slot);
  const state = ext.executive.stateAt(header.stateRoot);
  assert.equal(blockAuthor(state), undefined);
  assert.equal(authorshipStorage.Author.exists(state), false);
  assert.equal(authorshipStorage.CurrentSlot.get(state), slot);
  // A child block without a digest has no author either.
  assert.equal(blockAuthor(ext.executive.buildBlock(header, []).state), undefined);
});

Deno.test("slots must increase from block to block: SlotNotIncreasing", () => {
  const ext = localExt();
  const slot = slotOfBlock(1) + 5n;
  const header = authored(ext, ext.parent, slot);
  for (const again of [slot, slot - 1n]) {
    const error = thrownBy(BlockError, () => openAt(ext, header, again));
    assert.equal(error.code, "BLOCK_ERROR_INITIALIZE_FAILED");
    assert.match(error.message, /Authorship\.SlotNotIncreasing/);
  }
  // Skipping slots is fine.
  const next = openAt(ext, header, slot + 3n);
  assert.equal(authorshipStorage.CurrentSlot.get(next.state), slot + 3n);
});

Deno.test("slot 0 is never after the genesis slot: SlotNotIncreasing", () => {
  const ext = localExt();
  const error = thrownBy(BlockError, () => openAt(ext, ext.parent, 0n));
  assert.match(error.message, /Authorship\.SlotNotIncreasing/);
});

Deno.test("a slot with no authority to author it: NoAuthorities", () => {
  const ext = localExt();
  setAuthorities(context(ext), []);
  ext.nextBlock();
  assert.deepEqual(authorities(ext.state), []);
  const error = thrownBy(BlockError, () => openAt(ext, ext.parent, slotOfBlock(2)));
  assert.equal(error.code, "BLOCK_ERROR_INITIALIZE_FAILED");
  assert.match(error.message, /Authorship\.NoAuthorities/);
  // Blocks without a slot still build.
  ext.nextBlock();
});

Deno.test("the timestamp must fall in the block's slot: TimestampOutsideSlot", () => {
  const ext = localExt();
  ext.nextBlock();
  const slot = slotOfBlock(2);
  const previous = now(ext.executive.stateAt(ext.parent.stateRoot));
  for (const outside of [(slot + 1n) * SLOT_MS, (slot + 100n) * SLOT_MS]) {
    const block = openAt(ext, ext.parent, slot);
    const error = thrownBy(TransactionValidityError, () => block.applyExtrinsic(inherent(outside)));
    assert.equal(error.reason, "BadMandatory");
    assert.match(error.detail, /Authorship\.TimestampOutsideSlot/);
    // Rolled back with the inherent: the time is the parent's.
    assert.equal(now(block.state), previous);
  }
  // Both ends of the slot are inside it.
  for (const inside of [slot * SLOT_MS, (slot + 1n) * SLOT_MS - 1n]) {
    const block = openAt(ext, ext.parent, slot);
    assert.ok(block.applyExtrinsic(inherent(inside)).ok);
    assert.equal(now(block.state), inside);
  }
});

Deno.test("a time before the slot is outside it too", () => {
  const ext = localExt();
  ext.nextBlock();
  // A slot far ahead of the time the inherent gives.
  const slot = slotOfBlock(2) + 10n;
  const block = openAt(ext, ext.parent, slot);
  const error = thrownBy(
    TransactionValidityError,
    () => block.applyExtrinsic(inherent(slot * SLOT_MS - 1n)),
  );
  assert.match(error.detail, /Authorship\.TimestampOutsideSlot/);
});

Deno.test("without a slot digest the timestamp is not checked against any slot", () => {
  const ext = localExt();
  ext.nextBlock();
  const block = ext.executive.buildBlock(ext.parent, []);
  assert.ok(block.applyExtrinsic(inherent(now(ext.state) + 1_000_000n)).ok);
});

Deno.test("setAuthorities() installs the set and emits AuthoritiesChanged; the next slot uses it", () => {
  const ext = localExt();
  const fresh = [keypairFromUri("//A1").publicKey, keypairFromUri("//A2").publicKey];
  setAuthorities(context(ext), fresh);
  assert.deepEqual(authorities(ext.state), fresh);
  assertLastEvent(ext, "Authorship", "AuthoritiesChanged", { authorities: fresh });
  ext.nextBlock();
  const slot = slotOfBlock(2);
  const block = openAt(ext, ext.parent, slot);
  assert.deepEqual(blockAuthor(block.state), fresh[Number(slot % 2n)]);
});

Deno.test("setAuthorities() counts each change in SetId, kept across blocks", () => {
  const ext = localExt();
  const start = authoritySetId(ext.state);
  const keys = authorities(ext.state);
  setAuthorities(context(ext), keys.slice(0, 2));
  assert.equal(authoritySetId(ext.state), start + 1n);
  // Installing the same set again is still a change of set.
  setAuthorities(context(ext), keys.slice(0, 2));
  assert.equal(authoritySetId(ext.state), start + 2n);
  ext.nextBlock(3);
  assert.equal(authoritySetId(ext.state), start + 2n);
  assert.deepEqual(authorities(ext.state), keys.slice(0, 2));
});

Deno.test("setAuthorities() signals the new set in the block's header: a FRNK ScheduledChange of delay 0", () => {
  const ext = localExt();
  const fresh = [keypairFromUri("//A1").publicKey, keypairFromUri("//A2").publicKey];
  setAuthorities(context(ext), fresh);
  ext.nextBlock();
  assert.deepEqual(scheduledChangeOf(ext.parent.digest), {
    nextAuthorities: fresh.map((key) => [key, 1n]),
    delay: 0,
  });
  // The next block changes nothing, and says so.
  ext.nextBlock();
  assert.equal(scheduledChangeOf(ext.parent.digest), undefined);
});

Deno.test("the genesis set is not signalled as a change: genesis state holds no digest", () => {
  const ext = localExt();
  const genesis = ext.executive.stateAt(ext.parent.stateRoot);
  assert.equal(authorities(genesis).length, 4);
  assert.equal(systemStorage.Digest.exists(genesis), false);
});

Deno.test("slotOf() reads the aura pre-runtime digest only", () => {
  assert.equal(slotOf([]), undefined);
  assert.equal(slotOf([slotDigest(7n, "BABE")]), undefined);
  assert.equal(slotOf([{ tag: "Other", value: new Uint8Array([1]) }]), undefined);
  assert.equal(slotOf([slotDigest(7n, "BABE"), slotDigest(42n)]), 42n);
  const max = (1n << 64n) - 1n;
  assert.equal(slotOf([slotDigest(max)]), max);
  // Little-endian: slot 1 is 01 00 … 00.
  assert.equal(
    slotOf([{
      tag: "PreRuntime",
      value: [utf8("aura"), new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])],
    }]),
    1n,
  );
});

Deno.test("genesis sets the slot duration and the authorities; a zero duration is refused", () => {
  const ext = new TestExt({
    authorship: { authorities: [], slotDurationMs: 2000 },
    timestamp: { minimumPeriodMs: 1000 },
  });
  assert.equal(slotDuration(ext.state), 2000n);
  assert.throws(
    () => new TestExt({ authorship: { authorities: [], slotDurationMs: 0 } }),
    (e) => e instanceof TypeError && /slotDurationMs/.test(e.message),
  );
});
