/**
 * The finality gadget: GRANDPA-like rounds among the authority set of the
 * last finalized block.
 *
 * In each round every voter prevotes for its best block. Once more than two
 * thirds of the voters have prevoted, a voter precommits to the highest block
 * those prevotes support together (a vote supports its target and its
 * ancestors). Once more than two thirds have precommitted, the highest block
 * the precommits support is final, with those precommits as its
 * justification, and the next round begins. Votes name the round and the
 * authority set id; a voter never casts two different votes of one kind in a
 * round (the round is persisted before it votes in it), so with less than a
 * third of the voters faulty no two conflicting blocks are finalized.
 *
 * Votes are lost on the way at times, so every node repeats its votes of the
 * current round and the precommits that decided the last one; a node that
 * sees valid votes two rounds ahead of its own has missed more than that, and
 * says so, for the justifications to be fetched.
 *
 * Simplified from GRANDPA: no primary proposals, and rounds are sequential.
 *
 * @module
 */
import { decode, encode, t } from "../../../runtime/codec/types.ts";
import type { Keypair } from "../../../runtime/crypto/mod.ts";
import { fromHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import { authorities, authoritySetId } from "../../../pallets/authorship/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { ChainDatabase } from "../../db/mod.ts";
import { type Ancestry, type Equivocation, supermajorityOf, VoteTally } from "./_tally.ts";
import {
  decodeJustification,
  encodeJustification,
  type Justification,
  type SignedVote,
  signVote,
  voteSignatureValid,
} from "./vote.ts";

const progressType = t.struct("FinalityProgress", { setId: t.u64, round: t.u64 });

/** Rounds ahead of ours whose votes are kept until we get there. */
const FUTURE_ROUNDS = 4;
/** Rounds ahead of ours a valid vote may be before this node counts itself behind. */
const BEHIND_ROUNDS = 2;

/**
 * What became of a vote from the network:
 * - `accepted`: counted, kept for the next round, or of a past round (still
 *   passed on: a peer may be in that round yet);
 * - `behind`: valid, but two or more rounds ahead: this node missed a finalization;
 * - `later-set`: of an authority set this node has not reached (so not checkable);
 * - `ignored`: of a past set, or not from a voter;
 * - `invalid`: from a voter, but not signed by it.
 */
export type VoteOutcome = "accepted" | "behind" | "later-set" | "ignored" | "invalid";

/** What the gadget needs. */
export interface FinalityInit {
  client: ChainClient;
  db: ChainDatabase;
  /** This node's session key, if it votes. */
  voter?: Keypair;
  /** Sends a vote to the other voters; the gadget counts its own votes itself. */
  broadcast?: (vote: SignedVote) => void;
  /** Evidence of a voter's equivocation. */
  onEquivocation?: (evidence: Equivocation) => void;
}

/** Drives finality rounds and finalizes blocks through the chain client. */
export class FinalityGadget {
  readonly #init: FinalityInit;
  #setId = 0n;
  #round = 1n;
  #voters = new Set<string>();
  #prevotes = new VoteTally();
  #precommits = new VoteTally();
  #mine: SignedVote[] = [];
  /** The precommits that decided the last round, repeated for voters still in it. */
  #decided: SignedVote[] = [];
  /** Votes of rounds ahead, one per voter, stage and round (peers repeat theirs every slot). */
  #future = new Map<string, SignedVote>();
  #busy: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(init: FinalityInit) {
    this.#init = init;
  }

  /** Starts voting from the round after the one persisted (never voting twice in a round). */
  static async start(init: FinalityInit): Promise<FinalityGadget> {
    const gadget = new FinalityGadget(init);
    const stored = await init.db.getMeta("finality");
    const progress = stored ? decode(progressType, stored, "finality progress") : undefined;
    await gadget.#enterSet(progress);
    init.client.onImported(() => gadget.#schedule());
    gadget.#schedule();
    return gadget;
  }

  /** The current round and authority set id. */
  get position(): { setId: bigint; round: bigint } {
    return { setId: this.#setId, round: this.#round };
  }

  /**
   * Counts a vote from the network, or keeps it for a round soon to come.
   * A valid vote two or more rounds ahead of ours, or any vote of a later
   * authority set, means the others finalized blocks this node missed the
   * votes of: its outcome says so, and the justifications are to be fetched.
   */
  onVote(signed: SignedVote): VoteOutcome {
    const { vote } = signed;
    if (this.#stopped || vote.setId < this.#setId) return "ignored";
    // A later set's voters are not known here: the vote cannot be checked.
    if (vote.setId > this.#setId) return "later-set";
    if (!this.#voters.has(toHexRaw(signed.voter))) return "ignored";
    if (!voteSignatureValid(signed, this.#init.client.genesisHash)) return "invalid";
    if (vote.round < this.#round) return "accepted";
    if (vote.round > this.#round) {
      if (vote.round <= this.#round + BigInt(FUTURE_ROUNDS)) {
        this.#future.set(`${vote.round}/${vote.stage.tag}/${toHexRaw(signed.voter)}`, signed);
      }
      return vote.round >= this.#round + BigInt(BEHIND_ROUNDS) ? "behind" : "accepted";
    }
    this.#count(signed);
    this.#schedule();
    return "accepted";
  }

  /**
   * Checks a justification (from sync) against the voter set and finalizes
   * its block; the gadget then continues after the justification's round.
   * A justification for an older or unknown block, or another set, is left
   * alone (`false`).
   *
   * @throws {Error} when the justification is not valid for its set
   */
  importJustification(bytes: Uint8Array): Promise<boolean> {
    const run = this.#busy.then(async () => {
      const client = this.#init.client;
      const j = decodeJustification(bytes);
      const target = client.block(j.targetHash);
      if (j.setId !== this.#setId || !target) return false;
      if (target.header.number <= client.finalized.header.number) return false;
      const voters = new Set<string>();
      for (const signed of j.precommits) {
        const { vote } = signed;
        const voter = toHexRaw(signed.voter);
        const supports = toHexRaw(vote.targetHash) === target.hashHex ||
          this.#descends(vote.targetHash, target.hashHex);
        if (
          vote.stage.tag !== "Precommit" || vote.round !== j.round || vote.setId !== j.setId ||
          !this.#voters.has(voter) || !supports ||
          !voteSignatureValid(signed, client.genesisHash)
        ) {
          throw new Error(`Invalid justification: a bad precommit from 0x${voter}`);
        }
        voters.add(voter);
      }
      if (voters.size < supermajorityOf(this.#voters.size)) {
        throw new Error(`Invalid justification: ${voters.size} of ${this.#voters.size} voters`);
      }
      await client.finalize(j.targetHash, bytes);
      this.#decided = j.precommits;
      await this.#enterSet({
        setId: j.setId,
        round: j.round > this.#round ? j.round : this.#round,
      });
      this.#schedule();
      return true;
    });
    this.#busy = run.then(() => undefined, () => undefined);
    return run;
  }

  #descends(hash: Uint8Array, ancestorHex: string): boolean {
    const client = this.#init.client;
    const block = client.block(hash);
    const ancestor = client.block(ancestorHex);
    if (!block || !ancestor) return false;
    let at: typeof block | undefined = block;
    while (at && at.header.number > ancestor.header.number) at = client.block(at.header.parentHash);
    return at?.hashHex === ancestorHex;
  }

  /**
   * Sends this node's votes of the current round again, and the precommits
   * that decided the last one: a peer that missed some of those would
   * otherwise wait in that round for votes nobody sends any more.
   */
  rebroadcast(): void {
    for (const vote of [...this.#mine, ...this.#decided]) this.#init.broadcast?.(vote);
  }

  /** Stops voting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#busy;
  }

  #count(vote: SignedVote): void {
    const tally = vote.vote.stage.tag === "Prevote" ? this.#prevotes : this.#precommits;
    const before = tally.equivocations.length;
    tally.add(vote);
    for (const evidence of tally.equivocations.slice(before)) {
      this.#init.onEquivocation?.(evidence);
    }
  }

  #schedule(): void {
    this.#busy = this.#busy.then(() => this.#stopped ? undefined : this.#progress())
      .catch((e) => console.error("finality:", e));
  }

  async #progress(): Promise<void> {
    const { client, voter } = this.#init;
    const threshold = supermajorityOf(this.#voters.size);
    const ancestry = this.#ancestry();
    const voted = (stage: string) => this.#mine.some((v) => v.vote.stage.tag === stage);
    if (voter && !voted("Prevote") && client.best.header.number > client.finalized.header.number) {
      this.#vote("Prevote", client.best.hash, client.best.header.number);
    }
    if (this.#prevotes.count >= threshold && voter && !voted("Precommit")) {
      const ghost = this.#prevotes.supermajority(threshold, ancestry);
      if (ghost) this.#vote("Precommit", fromHex(ghost.hashHex), ghost.number);
    }
    const commit = this.#precommits.supermajority(threshold, ancestry);
    if (!commit) return;
    this.#decided = commit.votes;
    if (commit.number > client.finalized.header.number) {
      const justification: Justification = {
        round: this.#round,
        setId: this.#setId,
        targetHash: fromHex(commit.hashHex),
        targetNumber: commit.number,
        precommits: commit.votes,
      };
      await client.finalize(fromHex(commit.hashHex), encodeJustification(justification));
    }
    await this.#nextRound();
  }

  #vote(stage: "Prevote" | "Precommit", targetHash: Uint8Array, targetNumber: number): void {
    const vote = signVote(
      {
        stage: { tag: stage },
        targetHash,
        targetNumber,
        round: this.#round,
        setId: this.#setId,
      },
      this.#init.voter!,
      this.#init.client.genesisHash,
    );
    this.#mine.push(vote);
    this.#count(vote);
    this.#init.broadcast?.(vote);
  }

  async #nextRound(): Promise<void> {
    const setId = authoritySetId(this.#init.client.stateAt(this.#init.client.finalized.header));
    await this.#enterSet(
      setId === this.#setId ? { setId, round: this.#round } : undefined,
    );
    this.#schedule();
  }

  /** Enters the round after `after` in the finalized block's set (round 1 of a new set). */
  async #enterSet(after: { setId: bigint; round: bigint } | undefined): Promise<void> {
    const state = this.#init.client.stateAt(this.#init.client.finalized.header);
    const setId = authoritySetId(state);
    this.#setId = setId;
    this.#round = after && after.setId === setId ? after.round + 1n : 1n;
    this.#voters = new Set(authorities(state).map(toHexRaw));
    this.#prevotes = new VoteTally();
    this.#precommits = new VoteTally();
    this.#mine = [];
    // Persisted before any vote of the round is cast: a restart never votes twice in it.
    await this.#init.db.putMeta({
      finality: encode(progressType, { setId: this.#setId, round: this.#round }),
    });
    const waiting = [...this.#future.values()];
    this.#future.clear();
    for (const vote of waiting) this.onVote(vote);
  }

  #ancestry(): Ancestry {
    const client = this.#init.client;
    const floor = client.finalized.header.number;
    return {
      chain(hashHex) {
        let block = client.block(hashHex);
        if (!block) return undefined;
        const out: { hashHex: string; number: number }[] = [];
        while (block && block.header.number >= floor) {
          out.push({ hashHex: block.hashHex, number: block.header.number });
          block = client.block(block.header.parentHash);
        }
        return out;
      },
    };
  }
}
