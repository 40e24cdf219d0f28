/**
 * Equivocation proofs: two blocks a validator sealed for the same slot, or
 * two conflicting finality votes it signed in the same round.
 *
 * The node's block author seals `blockHash(header without the seal)` in a
 * trailing `Seal("aura", signature)` digest item, and its GRANDPA voter
 * signs Substrate's `localizedPayload(message, round, setId)` (see
 * `runtime/consensus/grandpa.ts`); these are what a proof is checked
 * against. A vote equivocation proof is Substrate's
 * `sp_consensus_grandpa::EquivocationProof`, so a proof built by Substrate
 * tooling reads the same here. The node imports the types from here to
 * build reports.
 *
 * @module
 */
import {
  blockHash,
  decodeHeader,
  type DigestItem,
  type Header,
  preRuntime,
} from "../../runtime/block/header.ts";
import { encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import {
  type GrandpaEquivocationProof,
  grandpaEquivocationProofType,
  localizedPayload,
  type Message,
  type VoteTarget,
} from "../../runtime/consensus/grandpa.ts";
import { verifyNative } from "../../runtime/crypto/mod.ts";
import { equalBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { authoritySetId } from "../authorship/mod.ts";
import { answerableStash } from "./_session_keys.ts";
import { errors, type OffenceKind, storage } from "./_storage.ts";

/** The oldest era whose offences may still be reported: `BondingDuration` eras back. */
export function oldestAnswerableEra(state: StateReader): number {
  return Math.max(0, storage.CurrentEra.get(state) - storage.BondingDuration.get(state));
}

/** The consensus engine id of slot digests and block seals. */
const AURA = "aura";

/**
 * A proof that a validator equivocated: two sealed headers (SCALE) for one
 * slot with the session key that sealed both (a seal names no key), or
 * GRANDPA's proof of two votes in one round.
 */
export const equivocationProofType = t.enum("EquivocationProof", {
  Blocks: t.struct("BlockEquivocation", {
    offender: t.accountId,
    first: t.bytes,
    second: t.bytes,
  }),
  Votes: grandpaEquivocationProofType,
});

/** An equivocation proof. */
export type EquivocationProof = ValueOf<typeof equivocationProofType>;

/** What a checked proof shows: who (session key and stash), what, and the offence's id. */
export interface ProvenOffence {
  key: Uint8Array;
  stash: Uint8Array;
  kind: OffenceKind;
  /** Hash of (kind, offender's stash, slot or setId + round + stage): one report per offence. */
  id: Uint8Array;
}

const offenceIdType = t.enum("OffenceId", {
  Blocks: t.tuple(t.accountId, t.u64),
  Votes: t.tuple(t.accountId, t.u64, t.u64, t.u8),
});

/**
 * Checks a proof: its signatures, that the offence happened within the
 * last `BondingDuration` eras (its slot, or its authority set), and that
 * the offending key is answerable (its stash validated within the bonding
 * duration; a rotated key stays so).
 *
 * @throws `InvalidEquivocationProof`, `OffenceTooOld` or `OffenderNotValidator`
 */
export function checkEquivocation(state: StateReader, proof: EquivocationProof): ProvenOffence {
  return proof.tag === "Blocks"
    ? checkBlocks(state, proof.value.offender, proof.value.first, proof.value.second)
    : checkVotes(state, proof.value);
}

function checkBlocks(
  state: StateReader,
  key: Uint8Array,
  first: Uint8Array,
  second: Uint8Array,
): ProvenOffence {
  const a = sealed(first);
  const b = sealed(second);
  if (
    a.slot !== b.slot || equalBytes(a.hash, b.hash) || !verifyNative(a.signature, a.hash, key) ||
    !verifyNative(b.signature, b.hash, key)
  ) throw errors.InvalidEquivocationProof();
  if (a.slot < (storage.ErasStartSlot.get(state, oldestAnswerableEra(state)) ?? 0n)) {
    throw errors.OffenceTooOld();
  }
  const stash = answerableStash(state, key);
  const id = blake2_256(encode(offenceIdType, { tag: "Blocks", value: [stash, a.slot] }));
  return { key, stash, kind: { tag: "BlockEquivocation" }, id };
}

/** A sealed header's slot, pre-seal hash and seal signature; `InvalidEquivocationProof` if it is none. */
function sealed(bytes: Uint8Array): { slot: bigint; hash: Uint8Array; signature: Uint8Array } {
  let header: Header;
  try {
    header = decodeHeader(bytes);
  } catch {
    throw errors.InvalidEquivocationProof();
  }
  const seal = header.digest.at(-1);
  const unsealed: DigestItem[] = header.digest.slice(0, -1);
  const slotBytes = preRuntime(unsealed, AURA);
  if (
    seal?.tag !== "Seal" || !equalBytes(seal.value[0], utf8(AURA)) ||
    seal.value[1].length !== 64 || slotBytes?.length !== 8
  ) throw errors.InvalidEquivocationProof();
  let slot = 0n;
  for (let i = 7; i >= 0; i--) slot = (slot << 8n) | BigInt(slotBytes[i]);
  return {
    slot,
    hash: blockHash({ ...header, digest: unsealed }),
    signature: seal.value[1],
  };
}

/**
 * Checks GRANDPA's proof: both votes signed by `identity` over
 * `localizedPayload` for the proof's round and set (so a vote of another
 * round or set, or under another payload, fails its signature), for
 * different blocks.
 */
function checkVotes(state: StateReader, proof: GrandpaEquivocationProof): ProvenOffence {
  const { setId, equivocation } = proof;
  const { roundNumber, identity, first, second } = equivocation.value;
  const stage = equivocation.tag;
  const signed = ([vote, signature]: [VoteTarget, Uint8Array]) =>
    verifyNative(
      signature,
      localizedPayload({ tag: stage, value: vote } as Message, roundNumber, setId),
      identity,
    );
  const conflicting = !equalBytes(first[0].targetHash, second[0].targetHash) ||
    first[0].targetNumber !== second[0].targetNumber;
  if (!conflicting || !signed(first) || !signed(second)) throw errors.InvalidEquivocationProof();
  // One authority set per era: a set older than the bonding duration is too old.
  const sets = BigInt(storage.CurrentEra.get(state) - oldestAnswerableEra(state));
  if (setId + sets < authoritySetId(state)) throw errors.OffenceTooOld();
  const stash = answerableStash(state, identity);
  const id = blake2_256(
    encode(offenceIdType, {
      tag: "Votes",
      value: [stash, setId, roundNumber, stage === "Prevote" ? 0 : 1],
    }),
  );
  return { key: identity, stash, kind: { tag: "VoteEquivocation" }, id };
}
