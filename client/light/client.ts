/**
 * The light client: finality and state from full nodes it does not trust.
 * It asks its peers in turn over a {@link LightTransport} (libp2p in Deno,
 * WebSockets in a browser) and checks every answer: a peer whose proof
 * does not hold, or whose answer does not even decode, is banned and the
 * next one asked; a peer that fails to answer is only skipped.
 *
 * @module
 */
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { decode, DecodeError } from "../../runtime/codec/types.ts";
import type { SignatureVerifier } from "../../runtime/crypto/signature_rule.ts";
import { type Checkpoint, FinalityProofError, LightFinality, SetChangeAhead } from "./finality.ts";
import {
  encodeLightRequest,
  finalityProofType,
  type LightRequest,
  readProofType,
  warpProofType,
} from "./protocol.ts";
import { ProvenState, StateProofError } from "./state.ts";

/** How a light client reaches full nodes. */
export interface LightTransport {
  /** The peers that may be asked now, in the order to ask them. */
  peers(): string[];
  /**
   * Sends a light request's bytes to `peer`; resolves with its answer.
   *
   * @throws {Error} when the peer does not answer (or answers with an error)
   */
  request(peer: string, request: Uint8Array): Promise<Uint8Array>;
  /** `peer` served a proof that does not hold: it is not to be asked (or kept) again. */
  ban(peer: string, reason: string): void;
}

/** No peer gave an answer that holds. */
export class NoHonestAnswer extends Error {
  override name = "NoHonestAnswer";
}

/** Finality and proven state, from peers that are checked, never trusted. */
export class LightClient {
  readonly finality: LightFinality;
  /** The peers banned so far, with why. */
  readonly bans = new Map<string, string>();
  readonly #transport: LightTransport;

  /** A client starting at `checkpoint`, checking signatures with `verify`. */
  constructor(checkpoint: Checkpoint, transport: LightTransport, verify: SignatureVerifier) {
    this.finality = new LightFinality(checkpoint, verify);
    this.#transport = transport;
  }

  /**
   * Brings finality up to a peer's newest justified block: warps over the
   * set changes, then follows.
   *
   * @throws {NoHonestAnswer} when no peer answered with proofs that hold
   */
  async sync(): Promise<Header> {
    await this.#warp();
    const request: LightRequest = {
      tag: "Finality",
      value: { fromNumber: this.finality.finalized.number },
    };
    await this.#ask("finality proof", request, async (bytes, peer) => {
      const { headers, justification } = decode(finalityProofType, bytes);
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
    });
    return this.finality.finalized;
  }

  /**
   * The finalized block's storage with `keys` proven (a peer's proof
   * checked against its state root).
   *
   * @throws {NoHonestAnswer} when no peer answered with a proof that holds
   */
  async read(keys: Uint8Array[]): Promise<ProvenState> {
    const at = this.finality.finalized;
    const state = new ProvenState(at);
    const request: LightRequest = { tag: "ReadProof", value: { block: blockHash(at), keys } };
    await this.#ask("read proof", request, (bytes) => {
      state.add(decode(readProofType, bytes), keys);
      return Promise.resolve();
    });
    return state;
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

  /**
   * Asks the peers in turn until one's answer holds (`use` returns);
   * bans a peer whose answer does not decode or prove what it claims.
   */
  async #ask(
    what: string,
    request: LightRequest,
    use: (bytes: Uint8Array, peer: string) => Promise<void>,
    only?: string,
  ): Promise<void> {
    const failures: string[] = [];
    const bytes = encodeLightRequest(request);
    const peers = only ? [only] : this.#transport.peers();
    for (const peer of peers) {
      if (this.bans.has(peer)) continue;
      let answer: Uint8Array;
      try {
        answer = await this.#transport.request(peer, bytes);
      } catch (e) {
        failures.push(`${peer}: ${(e as Error).message}`);
        continue;
      }
      try {
        await use(answer, peer);
        return;
      } catch (e) {
        if (e instanceof Unhelpful) {
          failures.push(`${peer}: ${e.message}`);
          continue;
        }
        if (!isLie(e)) throw e;
        const reason = `a ${what} that does not hold: ${(e as Error).message}`;
        this.bans.set(peer, reason);
        this.#transport.ban(peer, reason);
        failures.push(`${peer}: ${reason}`);
      }
    }
    throw new NoHonestAnswer(
      `No peer answered the ${what} with one that holds${
        failures.length ? `: ${failures.join("; ")}` : " (no peers)"
      }`,
    );
  }
}

/** A peer's answer could not be used, through no lie of its own (yet): the next peer is asked. */
class Unhelpful extends Error {
  override name = "Unhelpful";
}

/** Whether `e` says the answer was false or garbage (not that the peer failed to give one). */
function isLie(e: unknown): boolean {
  return e instanceof FinalityProofError || e instanceof StateProofError ||
    e instanceof DecodeError;
}
