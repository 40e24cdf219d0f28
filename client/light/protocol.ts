/**
 * The light request protocol: what a light client asks a full node for,
 * and the proofs it gets back, in SCALE. A full node serves it on its
 * `light` protocol (`/sutantra/<genesis>/light/1`); the client checks every
 * answer itself ({@link LightFinality}, {@link ProvenState}) and bans a
 * peer whose answer does not prove what it claims.
 *
 * - `WarpProof { fromSetId }`: the set-change headers from that set on,
 *   each with its set's justification, at most {@link MAX_WARP_FRAGMENTS};
 *   `isFinished` when they reach the current set.
 * - `Finality { fromNumber }`: the finalized headers above `fromNumber` up
 *   to the newest one with a justification, at most
 *   {@link MAX_FINALITY_HEADERS}, and that justification (none: nothing
 *   newer yet).
 * - `ReadProof { block, keys }`: the trie nodes proving `keys` at `block`,
 *   at most {@link MAX_PROOF_KEYS} keys.
 * - `CallProof { block, method, input }`: the keys a runtime API call at
 *   `block` reads and the trie nodes proving them (at most
 *   {@link MAX_CALL_PROOF_KEYS}), so a client runs the call itself with
 *   one round trip rather than a proof for each key it meets.
 * - `Body { block }`: the block's extrinsics, proven by the header's
 *   extrinsics root.
 * - `Submit { extrinsic }`: a transaction for the node's pool (and its
 *   gossip); the answer says whether the pool took it, and if not why. It
 *   proves nothing: a client sends to more than one node.
 *
 * @module
 */
import { headerType } from "../../runtime/block/header.ts";
import { decode, encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import { justificationType } from "../../runtime/consensus/grandpa.ts";

/** The protocol name light requests are asked on (`/sutantra/<genesis>/light/1`). */
export const LIGHT_PROTOCOL = "light";

/** Set changes one warp proof carries at most. */
export const MAX_WARP_FRAGMENTS = 64;
/** Headers one finality proof carries at most: a client further behind warps first. */
export const MAX_FINALITY_HEADERS = 512;
/** Keys one read proof covers at most. */
export const MAX_PROOF_KEYS = 64;
/** Keys one call proof covers at most: a call reading more gets the rest by read proofs. */
export const MAX_CALL_PROOF_KEYS = 1024;
/** The longest runtime call input, in bytes. */
export const MAX_CALL_INPUT_BYTES = 64 * 1024;
/** The longest storage key asked for, in bytes. */
export const MAX_KEY_BYTES = 1024;
/** The longest transaction submitted, in bytes (a block's length limit is 5 MiB; a transaction is far less). */
export const MAX_EXTRINSIC_BYTES = 512 * 1024;

/** A light client's request. */
export const lightRequestType = t.enum("LightRequest", {
  WarpProof: t.struct("WarpProofRequest", { fromSetId: t.u64 }),
  Finality: t.struct("FinalityRequest", { fromNumber: t.u32 }),
  ReadProof: t.struct("ReadProofRequest", {
    block: t.hash,
    keys: t.vec(t.bytes),
  }),
  CallProof: t.struct("CallProofRequest", { block: t.hash, method: t.str, input: t.bytes }),
  Body: t.struct("BodyRequest", { block: t.hash }),
  Submit: t.struct("SubmitRequest", { extrinsic: t.bytes }),
});

/** A light client's request. */
export type LightRequest = ValueOf<typeof lightRequestType>;

/** The set changes from a set on. */
export const warpProofType = t.struct("WarpProof", {
  fragments: t.vec(
    t.struct("WarpFragment", { header: headerType, justification: justificationType }),
  ),
  isFinished: t.bool,
});

/** The set changes from a set on. */
export type WarpProof = ValueOf<typeof warpProofType>;

/**
 * Finalized headers and the justification of the last, or none when no
 * block above the one asked from has a justification yet (the asker is up
 * to date as far as this node knows).
 */
export const finalityProofType = t.option(t.struct("FinalityProof", {
  headers: t.vec(headerType),
  justification: justificationType,
}));

/** Finalized headers and the justification of the last. */
export type FinalityProof = NonNullable<ValueOf<typeof finalityProofType>>;

/** The trie nodes of a read proof. */
export const readProofType = t.vec(t.bytes);

/** The keys a runtime call read, and the trie nodes proving them. */
export const callProofType = t.struct("CallProof", {
  keys: t.vec(t.bytes),
  proof: t.vec(t.bytes),
});

/** The keys a runtime call read, and the trie nodes proving them. */
export type CallProof = ValueOf<typeof callProofType>;

/** A block's extrinsics, in order. */
export const bodyType = t.vec(t.bytes);

/**
 * Whether a node's pool took a transaction: its hash, or the pool's error
 * (Substrate's author error codes, 1010 invalid and so on).
 */
export const submitAnswerType = t.enum("SubmitAnswer", {
  Accepted: t.hash,
  Refused: t.struct("Refusal", { code: t.u32, message: t.str, data: t.option(t.str) }),
});

/** Whether a node's pool took a transaction. */
export type SubmitAnswer = ValueOf<typeof submitAnswerType>;

/** SCALE of a request. */
export function encodeLightRequest(request: LightRequest): Uint8Array {
  return encode(lightRequestType, request);
}

/**
 * A request, checked against the protocol's bounds.
 *
 * @throws `DecodeError` on bytes that are not a request; {@link RangeError}
 * past a bound
 */
export function decodeLightRequest(bytes: Uint8Array): LightRequest {
  const request = decode(lightRequestType, bytes, "light request");
  if (request.tag === "CallProof" && request.value.input.length > MAX_CALL_INPUT_BYTES) {
    throw new RangeError(`A runtime call's input is at most ${MAX_CALL_INPUT_BYTES} bytes`);
  }
  if (request.tag === "Submit" && request.value.extrinsic.length > MAX_EXTRINSIC_BYTES) {
    throw new RangeError(`A transaction is at most ${MAX_EXTRINSIC_BYTES} bytes`);
  }
  if (request.tag === "ReadProof") {
    const { keys } = request.value;
    if (keys.length > MAX_PROOF_KEYS) {
      throw new RangeError(
        `A read proof covers at most ${MAX_PROOF_KEYS} keys, not ${keys.length}`,
      );
    }
    if (keys.some((k) => k.length > MAX_KEY_BYTES)) {
      throw new RangeError(`A storage key is at most ${MAX_KEY_BYTES} bytes`);
    }
  }
  return request;
}
