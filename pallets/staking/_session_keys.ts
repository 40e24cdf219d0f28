/**
 * Session keys: the ed25519 key a stash's node signs blocks and finality
 * votes with, set with a proof that the setter holds it, taking effect at
 * the next era, and answerable for what it signed for the bonding duration
 * after it stops signing.
 *
 * - `setKeys` needs the key's signature of {@link sessionKeyProofPayload}
 *   (the stash), so nobody can claim a key that is not theirs.
 * - The key is queued (`QueuedKeys`) and replaces `SessionKeys` when the
 *   next era starts, before its election: the authority set of the current
 *   era keeps the keys it was elected with.
 * - A key that stops signing (replaced, or queued and replaced again)
 *   stays its stash's in `KeyOwner` for `BondingDuration` eras, as long as
 *   the stash's unbonded funds stay slashable, so equivocations it signed
 *   can still be proven.
 *
 * @module
 */
import { verifyNative } from "../../runtime/crypto/mod.ts";
import { concatBytes, equalBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import type { Overlay, StateReader } from "../../runtime/storage/overlay.ts";
import { errors, storage } from "./_storage.ts";

const KEY_PROOF_CONTEXT = utf8("sutantra/session-key:");

/** What a session key signs to prove that it may be `stash`'s: a context and the stash. */
export function sessionKeyProofPayload(stash: Uint8Array): Uint8Array {
  return concatBytes(KEY_PROOF_CONTEXT, stash);
}

/**
 * Queues `key` as `stash`'s session key from the next era.
 *
 * @throws `InvalidKeyProof` when `proof` is not `key`'s signature of the
 * payload; `KeyInUse` when another stash owns `key`
 */
export function queueKey(
  state: Overlay,
  stash: Uint8Array,
  key: Uint8Array,
  proof: Uint8Array,
): void {
  if (!verifyNative(proof, sessionKeyProofPayload(stash), key)) throw errors.InvalidKeyProof();
  const owner = storage.KeyOwner.get(state, key);
  if (owner && !equalBytes(owner, stash)) throw errors.KeyInUse();
  const queued = storage.QueuedKeys.get(state, stash);
  const current = storage.SessionKeys.get(state, stash);
  // A queued key replaced before it took effect signed nothing: it may go when this era ends.
  if (queued && !equalBytes(queued, key)) retire(state, queued, storage.CurrentEra.get(state) + 1);
  storage.KeyOwner.set(state, key, stash);
  if (current && equalBytes(current, key)) storage.QueuedKeys.remove(state, stash);
  else storage.QueuedKeys.set(state, stash, key);
}

/** Whether `stash` has a session key, in use or queued. */
export function hasKey(state: StateReader, stash: Uint8Array): boolean {
  return storage.SessionKeys.contains(state, stash) || storage.QueuedKeys.contains(state, stash);
}

/**
 * At the start of era `era`: queued keys replace the keys in use (which
 * retire), and the keys retired `BondingDuration` eras ago are let go.
 */
export function rotateKeys(state: Overlay, era: number): void {
  for (const [stash, key] of [...storage.QueuedKeys.entries(state)]) {
    const old = storage.SessionKeys.get(state, stash);
    if (old && !equalBytes(old, key)) retire(state, old, era);
    storage.SessionKeys.set(state, stash, key);
  }
  storage.QueuedKeys.clear(state);
  const expired = era - storage.BondingDuration.get(state);
  if (expired < 0) return;
  for (const key of storage.RetiredKeys.get(state, expired)) {
    const owner = storage.KeyOwner.get(state, key);
    if (owner && !inUse(state, owner, key)) storage.KeyOwner.remove(state, key);
  }
  storage.RetiredKeys.remove(state, expired);
}

/** Forgets `stash`'s keys in use and queued (its retired keys expire on their own). */
export function removeKeys(state: Overlay, stash: Uint8Array): void {
  for (const item of [storage.SessionKeys, storage.QueuedKeys]) {
    const key = item.get(state, stash);
    if (!key) continue;
    item.remove(state, stash);
    storage.KeyOwner.remove(state, key);
  }
}

/**
 * The stash answerable for what `key` signed: its owner, if that stash was
 * an elected validator in one of the last `BondingDuration` eras.
 *
 * @throws `OffenderNotValidator` otherwise
 */
export function answerableStash(state: StateReader, key: Uint8Array): Uint8Array {
  const stash = storage.KeyOwner.get(state, key);
  const era = storage.CurrentEra.get(state);
  const from = Math.max(0, era - storage.BondingDuration.get(state));
  for (let e = era; stash && e >= from; e--) {
    if (storage.ErasStakersOverview.contains(state, e, stash)) return stash;
  }
  throw errors.OffenderNotValidator();
}

function retire(state: Overlay, key: Uint8Array, era: number): void {
  storage.RetiredKeys.set(state, era, [...storage.RetiredKeys.get(state, era), key]);
}

function inUse(state: StateReader, stash: Uint8Array, key: Uint8Array): boolean {
  return [storage.SessionKeys, storage.QueuedKeys].some((item) => {
    const held = item.get(state, stash);
    return held !== undefined && equalBytes(held, key);
  });
}
