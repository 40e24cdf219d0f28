/**
 * What a light client knows of finality, and how it learns more without
 * trusting whoever tells it: a finalized header and the GRANDPA authority
 * set that votes above it, moved forward only by proofs it checks itself.
 *
 * - **Warp** (as Substrate's GRANDPA warp sync): from set change to set
 *   change, one fragment each: the header that schedules the change (the
 *   last block its set votes on) and that set's justification of it. The
 *   headers between are never seen; the signatures carry the trust.
 * - **Follow**: the headers from the finalized one up to a new finalized
 *   target, each the child of the one before, and the current set's
 *   justification of the target. A set votes up to the block scheduling
 *   its change and no further, so a target past such a block is refused.
 *
 * A change scheduled in a block takes effect once that block is final
 * (`delay` 0, as this chain schedules them): the next set, with the next
 * id, votes above it. Pure: it runs in Deno and in the browser; the
 * signature check is passed in.
 *
 * @module
 */
import { blockHash, type Header } from "../../runtime/block/header.ts";
import type { SignatureVerifier } from "../../runtime/crypto/signature_rule.ts";
import { type GrandpaJustification, scheduledChangeOf } from "../../runtime/consensus/grandpa.ts";
import {
  type AuthoritySet,
  type Checkpoint,
  JustificationError,
  verifyJustification,
} from "../../runtime/consensus/justification.ts";
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import { ProofError } from "./peers.ts";

export type { Checkpoint };

/** One step of a warp: a header scheduling a set change, and its set's justification of it. */
export interface WarpFragment {
  header: Header;
  justification: GrandpaJustification;
}

/**
 * A proof that does not prove what it claims: whoever served it is to be
 * banned, and nothing was changed.
 */
export class FinalityProofError extends ProofError {
  override name = "FinalityProofError";
}

/**
 * Headers to follow that pass a set change the client has not warped over:
 * no lie, the client is behind; it warps first.
 */
export class SetChangeAhead extends Error {
  override name = "SetChangeAhead";
  constructor(readonly number: number) {
    super(`Header #${number} changes the authority set: warp over it first`);
  }
}

/** The finalized header a light client holds, and the set that finalizes above it. */
export class LightFinality {
  readonly #verify: SignatureVerifier;
  #finalized: Header;
  #set: AuthoritySet;
  #followed: readonly Header[] = [];

  /** Starts at `checkpoint`, checking signatures with `verify`. */
  constructor(checkpoint: Checkpoint, verify: SignatureVerifier) {
    this.#finalized = checkpoint.header;
    this.#set = checkpoint.set;
    this.#verify = verify;
  }

  /** The newest header proven final. */
  get finalized(): Header {
    return this.#finalized;
  }

  /** The headers the last {@link follow} moved over, oldest first (the last is {@link finalized} unless a warp came after). */
  get followed(): readonly Header[] {
    return this.#followed;
  }

  /** The authority set that votes above {@link finalized}. */
  get set(): AuthoritySet {
    return this.#set;
  }

  /**
   * Warps over set changes, one fragment each, in order; the fragments
   * before a bad one stay applied (each was proven on its own).
   *
   * @throws {FinalityProofError} at the first fragment that is not a proven
   * set change above the finalized header
   */
  warp(fragments: WarpFragment[]): void {
    for (const [i, { header, justification }] of fragments.entries()) {
      if (!changeOf(header)) {
        throw new FinalityProofError(
          `Warp fragment ${i}: #${header.number} schedules no set change`,
        );
      }
      if (header.number <= this.#finalized.number) {
        throw new FinalityProofError(
          `Warp fragment ${i}: #${header.number} is not above the finalized #${this.#finalized.number}`,
        );
      }
      this.#checkJustification(justification, header, `Warp fragment ${i}`);
      this.#finalize(header);
    }
  }

  /**
   * Moves to the last of `headers`, a new finalized block: `headers` go on
   * from the finalized header, each the child of the one before, and
   * `justification` is the current set's proof of the last.
   *
   * @throws {FinalityProofError} when the headers do not chain or the
   * justification does not prove the last of them
   * @throws {SetChangeAhead} when they pass a set change (warp over it first)
   */
  follow(headers: Header[], justification: GrandpaJustification): void {
    const target = headers.at(-1);
    if (!target) throw new FinalityProofError("No headers to follow");
    let parent = this.#finalized;
    for (const header of headers) {
      if (
        header.number !== parent.number + 1 || !equalBytes(header.parentHash, blockHash(parent))
      ) {
        throw new FinalityProofError(
          `Header #${header.number} is not the child of #${parent.number}`,
        );
      }
      // A set does not finalize past its own change.
      if (header !== target && changeOf(header)) throw new SetChangeAhead(header.number);
      parent = header;
    }
    this.#checkJustification(justification, target, `Justification of #${target.number}`);
    this.#finalize(target);
    this.#followed = headers;
  }

  #checkJustification(justification: GrandpaJustification, header: Header, what: string): void {
    try {
      verifyJustification(justification, this.#set, this.#verify, {
        hash: blockHash(header),
        number: header.number,
      });
    } catch (e) {
      if (!(e instanceof JustificationError)) throw e;
      throw new FinalityProofError(`${what}: ${e.message}`);
    }
  }

  /** `header` is final; a set change it schedules takes effect above it. */
  #finalize(header: Header): void {
    const change = changeOf(header);
    this.#finalized = header;
    if (change) {
      this.#set = {
        setId: this.#set.setId + 1n,
        authorities: change.nextAuthorities.map(([key]) => key),
      };
    }
  }
}

/**
 * The set change `header` schedules, if any.
 *
 * @throws {FinalityProofError} when its GRANDPA log does not decode
 */
function changeOf(header: Header) {
  try {
    return scheduledChangeOf(header.digest);
  } catch (e) {
    throw new FinalityProofError(`Header #${header.number}: ${(e as Error).message}`);
  }
}
