/**
 * A finalized block's storage as a light client reads it: only values a
 * read proof showed, checked against the block's state root, so no node
 * can make it believe a price, a balance or a channel that is not on chain.
 *
 * It is a {@link StateReader}, so the runtime's typed storage items and the
 * runtime itself read from it as from a full node's state. A key no proof
 * covered yet throws {@link MissingFromProof} and is noted as a miss (even
 * if the code reading it swallows the error): the caller fetches a proof
 * for the misses ({@link ProvenState.takeMisses}), {@link ProvenState.add}s
 * it and runs again. Iterating a prefix needs a range proof, which is not
 * served yet.
 *
 * @module
 */
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { verifyReadProof } from "../../runtime/trie/verify_read_proof.ts";
import { ProofError } from "./peers.ts";

/** A read of a key no proof has covered yet: fetch one for {@link key}, add it, read again. */
export class MissingFromProof extends Error {
  override name = "MissingFromProof";
  constructor(readonly key: Uint8Array, what = "no proof covers it yet") {
    super(`Storage key 0x${toHexRaw(key)}: ${what}`);
  }
}

/** A read proof that does not hold against the state root: whoever served it is to be banned. */
export class StateProofError extends ProofError {
  override name = "StateProofError";
}

/** The proven storage of one block. */
export class ProvenState implements StateReader {
  /** The state root the proofs are checked against. */
  readonly stateRoot: Uint8Array;
  /** The block's number (what "verified at #N" says). */
  readonly number: number;
  /** The block's hash (what proofs are asked at). */
  readonly hash: Uint8Array;
  /** Proven values by raw hex key; `undefined`: proven absent. */
  readonly #values = new Map<string, Uint8Array | undefined>();
  /** Keys read and not proven since the last {@link takeMisses}, by raw hex. */
  readonly #misses = new Map<string, Uint8Array>();
  /** A prefix was listed since the last {@link takeMisses}: no proof can cover that. */
  #listed?: Uint8Array;

  /** The storage of the block with `header` (a finalized one: its root is trusted). */
  constructor(header: Header) {
    this.stateRoot = header.stateRoot;
    this.number = header.number;
    this.hash = blockHash(header);
  }

  /**
   * The keys read without a proof since the last call (and forgets them).
   *
   * @throws {MissingFromProof} when a prefix was listed: that needs a range proof
   */
  takeMisses(): Uint8Array[] {
    const listed = this.#listed;
    const misses = [...this.#misses.values()];
    this.#misses.clear();
    this.#listed = undefined;
    if (listed) throw new MissingFromProof(listed, "listing a prefix needs a range proof");
    return misses;
  }

  /**
   * Checks `proof` of `keys` against the state root and keeps their values
   * (or their proven absence); adds nothing when it does not hold.
   *
   * @throws {StateProofError} when a node a key needs is missing or altered
   */
  add(proof: Uint8Array[], keys: Uint8Array[]): void {
    let values;
    try {
      values = verifyReadProof(this.stateRoot, proof, keys);
    } catch (e) {
      throw new StateProofError(`At #${this.number}: ${(e as Error).message}`);
    }
    for (const [key, value] of values) this.#values.set(key, value);
  }

  /**
   * The proven value at `key` (`undefined` when proven absent).
   *
   * @throws {MissingFromProof} when no proof covered it
   */
  get(key: Uint8Array): Uint8Array | undefined {
    const hex = toHexRaw(key);
    if (!this.#values.has(hex)) {
      this.#misses.set(hex, key);
      throw new MissingFromProof(key);
    }
    return this.#values.get(hex);
  }

  /**
   * Iterating storage needs a range proof, which no node serves yet.
   *
   * @throws {MissingFromProof} always
   */
  entries(prefix: Uint8Array): Iterable<[Uint8Array, Uint8Array]> {
    this.#listed = prefix;
    throw new MissingFromProof(prefix, "listing a prefix needs a range proof");
  }
}
