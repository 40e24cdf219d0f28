/**
 * The light client: finality and state from full nodes it does not trust.
 * It asks its peers in turn over a {@link LightTransport} (libp2p in Deno,
 * WebSockets in a browser) and checks every answer: a peer whose proof
 * does not hold, or whose answer does not even decode, is banned and the
 * next one asked; a peer that fails to answer is only skipped.
 *
 * @module
 */
import type { Header } from "../../runtime/block/header.ts";
import type { GrandpaJustification } from "../../runtime/consensus/grandpa.ts";
import { decode, DecodeError } from "../../runtime/codec/types.ts";
import type { SignatureVerifier } from "../../runtime/crypto/signature_rule.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { orderedTrieRoot } from "../../runtime/trie/ordered_trie_root.ts";
import { type Checkpoint, FinalityProofError, LightFinality, SetChangeAhead } from "./finality.ts";
import {
  bodyType,
  callProofType,
  encodeLightRequest,
  finalityProofType,
  type LightRequest,
  MAX_CALL_PROOF_KEYS,
  MAX_PROOF_KEYS,
  readProofType,
  submitAnswerType,
  warpProofType,
} from "./protocol.ts";
import { type LightTransport, NoHonestAnswer, Peers, ProofError, Unhelpful } from "./peers.ts";
import { ProvenState, StateProofError } from "./state.ts";

export type { LightTransport } from "./peers.ts";
export { NoHonestAnswer };

/** A block body that does not hash to its header's extrinsics root: whoever served it is to be banned. */
export class BodyProofError extends ProofError {
  override name = "BodyProofError";
}

/** Every node asked refused a transaction: the first refusal's code, message and data (Substrate's author errors). */
export class TransactionRefused extends Error {
  override name = "TransactionRefused";
  constructor(readonly code: number, message: string, readonly data?: string) {
    super(message);
  }
}

/**
 * Finality moved: `headers` are the newly finalized blocks, oldest first,
 * each the child of the one before and the first the child of the previous
 * finalized block, unless `gap` (a warp jumped over blocks never seen).
 */
export interface FinalityAdvance {
  headers: Header[];
  gap: boolean;
}

/** Nodes a transaction is sent to, so that one dropping it does not lose it. */
const SUBMIT_COPIES = 2;

/** Finality and proven state, from peers that are checked, never trusted. */
export class LightClient {
  readonly finality: LightFinality;
  readonly #peers: Peers;
  readonly #listeners = new Set<(advance: FinalityAdvance) => void>();
  /** Proofs (read and body) checked and found to hold. */
  proofsVerified = 0;

  /** A client starting at `checkpoint`, checking signatures with `verify`. */
  constructor(checkpoint: Checkpoint, transport: LightTransport, verify: SignatureVerifier) {
    this.finality = new LightFinality(checkpoint, verify);
    this.#peers = new Peers(transport);
  }

  /** The peers banned so far, with why. */
  get bans(): ReadonlyMap<string, string> {
    return this.#peers.bans;
  }

  /**
   * Brings finality up to a peer's newest justified block: warps over the
   * set changes, then follows.
   *
   * @throws {NoHonestAnswer} when no peer answered with proofs that hold
   */
  async sync(): Promise<Header> {
    const before = this.finality.finalized;
    try {
      await this.#sync();
    } finally {
      this.#announce(before);
    }
    return this.finality.finalized;
  }

  /** Hears each advance of finality {@link sync} makes. @returns the function that stops it */
  onFinalized(listener: (advance: FinalityAdvance) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #sync(): Promise<void> {
    await this.#warp();
    const request: LightRequest = {
      tag: "Finality",
      value: { fromNumber: this.finality.finalized.number },
    };
    /** Peers that said nothing newer is justified: if all the rest fail, the client is up to date. */
    let upToDate = 0;
    try {
      await this.#ask("finality proof", request, async (bytes, peer) => {
        const proof = decode(finalityProofType, bytes);
        if (!proof) {
          upToDate++;
          // Another peer may be further on: it is asked too.
          throw new Unhelpful("nothing newer is justified");
        }
        await this.#follow(proof.headers, proof.justification, peer);
      });
    } catch (e) {
      if (!(e instanceof NoHonestAnswer) || upToDate === 0) throw e;
    }
  }

  /** Follows `headers` to the block `justification` proves, warping from `peer` over a set change it passes. */
  async #follow(
    headers: Header[],
    justification: GrandpaJustification,
    peer: string,
  ): Promise<void> {
    try {
      this.finality.follow(headers, justification);
    } catch (e) {
      if (!(e instanceof SetChangeAhead)) throw e;
      // Behind a set change this peer knows: warp from it, then follow on.
      try {
        await this.#warp(peer);
      } catch (e) {
        // It lied about the warp (and is banned for it) or did not answer: the next peer.
        if (e instanceof NoHonestAnswer) throw new Unhelpful(e.message);
        throw e;
      }
      const above = headers.filter((h) => h.number > this.finality.finalized.number);
      try {
        this.finality.follow(above, justification);
      } catch (e) {
        if (!(e instanceof SetChangeAhead)) throw e;
        throw new FinalityProofError(`headers past a set change it does not prove: ${e.message}`);
      }
    }
  }

  /** Tells the listeners about the blocks finalized since `before`. */
  #announce(before: Header): void {
    const after = this.finality.finalized;
    if (after.number === before.number) return;
    const followed = this.finality.followed.filter((h) => h.number > before.number);
    const gap = followed.length !== after.number - before.number;
    for (const listener of this.#listeners) listener({ headers: followed, gap });
  }

  /**
   * The finalized block's storage with `keys` proven (a peer's proof
   * checked against its state root).
   *
   * @throws {NoHonestAnswer} when no peer answered with a proof that holds
   */
  async read(keys: Uint8Array[]): Promise<ProvenState> {
    const state = new ProvenState(this.finality.finalized);
    await this.prove(state, keys);
    return state;
  }

  /**
   * Adds `keys`, proven, to `state` (asking for {@link MAX_PROOF_KEYS} at a time).
   *
   * @throws {NoHonestAnswer} when no peer answered with a proof that holds
   */
  async prove(state: ProvenState, keys: Uint8Array[]): Promise<void> {
    for (let i = 0; i < keys.length; i += MAX_PROOF_KEYS) {
      const chunk = keys.slice(i, i + MAX_PROOF_KEYS);
      const request: LightRequest = { tag: "ReadProof", value: { block: state.hash, keys: chunk } };
      await this.#ask("read proof", request, (bytes) => {
        state.add(decode(readProofType, bytes), chunk);
        this.proofsVerified++;
        return Promise.resolve();
      });
    }
  }

  /**
   * Adds to `state` what runtime call `method(input)` reads there, as a full
   * node proves it (one round trip for the whole call). A node that leaves
   * keys out only costs the client read proofs for them later.
   *
   * @throws {NoHonestAnswer} when no peer answered with a proof that holds
   */
  async proveCall(state: ProvenState, method: string, input: Uint8Array): Promise<void> {
    const request: LightRequest = { tag: "CallProof", value: { block: state.hash, method, input } };
    await this.#ask("call proof", request, (bytes) => {
      const { keys, proof } = decode(callProofType, bytes);
      if (keys.length > MAX_CALL_PROOF_KEYS) {
        throw new StateProofError(
          `A call proof of ${keys.length} keys, over ${MAX_CALL_PROOF_KEYS}`,
        );
      }
      state.add(proof, keys);
      this.proofsVerified++;
      return Promise.resolve();
    });
  }

  /**
   * The extrinsics of the block with `header` (one the client holds as
   * final, or a descendant it verified), checked against its extrinsics root.
   *
   * @throws {NoHonestAnswer} when no peer answered with a body that holds
   */
  async body(header: Header, hash: Uint8Array): Promise<Uint8Array[]> {
    let body: Uint8Array[] = [];
    await this.#ask("block body", { tag: "Body", value: { block: hash } }, (bytes) => {
      const extrinsics = decode(bodyType, bytes);
      if (!equalBytes(orderedTrieRoot(extrinsics), header.extrinsicsRoot)) {
        throw new BodyProofError(
          `The body of #${header.number} does not hash to its extrinsics root`,
        );
      }
      this.proofsVerified++;
      body = extrinsics;
      return Promise.resolve();
    });
    return body;
  }

  /**
   * Sends a transaction to nodes' pools (to {@link SUBMIT_COPIES} of them,
   * so that one dropping it does not lose it).
   *
   * @returns the transaction's hash as the first node that took it says
   * @throws {TransactionRefused} when every node asked refused it (their first reason)
   * @throws {NoHonestAnswer} when no node answered at all
   */
  async submit(extrinsic: Uint8Array): Promise<Uint8Array> {
    const request = encodeLightRequest({ tag: "Submit", value: { extrinsic } });
    const failures: string[] = [];
    let accepted: Uint8Array | undefined;
    let refused: TransactionRefused | undefined;
    let sent = 0;
    for (const peer of this.#peers.askable()) {
      if (sent === SUBMIT_COPIES) break;
      let answer;
      try {
        answer = decode(submitAnswerType, await this.#peers.request(peer, request));
      } catch (e) {
        if (e instanceof DecodeError) {
          this.#peers.ban(peer, `a submit answer that does not decode: ${e.message}`);
        }
        failures.push(`${peer}: ${(e as Error).message}`);
        continue;
      }
      sent++;
      if (answer.tag === "Accepted") accepted ??= answer.value;
      else {
        const { code, message, data } = answer.value;
        refused ??= new TransactionRefused(code, message, data);
      }
    }
    if (accepted) return accepted;
    if (refused) throw refused;
    throw new NoHonestAnswer(
      `No node took the transaction${failures.length ? `: ${failures.join("; ")}` : " (no peers)"}`,
    );
  }

  /** Warps until a peer (`only`, if given) says it reached its current set. */
  async #warp(only?: string): Promise<void> {
    for (let finished = false; !finished;) {
      const request: LightRequest = {
        tag: "WarpProof",
        value: { fromSetId: this.finality.set.setId },
      };
      await this.#ask("warp proof", request, (bytes) => {
        const proof = decode(warpProofType, bytes);
        this.finality.warp(proof.fragments);
        // A peer saying "more" but giving nothing would keep the client asking for ever.
        if (!proof.isFinished && proof.fragments.length === 0) {
          throw new FinalityProofError("an unfinished warp proof without fragments");
        }
        finished = proof.isFinished;
        return Promise.resolve();
      }, only);
    }
  }

  /** Asks the peers in turn for `request`'s answer, until `use` takes one (see {@link Peers.ask}). */
  #ask(
    what: string,
    request: LightRequest,
    use: (answer: Uint8Array, peer: string) => Promise<void>,
    only?: string,
  ): Promise<void> {
    return this.#peers.ask(what, encodeLightRequest(request), use, only);
  }
}
