/**
 * The GRANDPA voter of one authority set, as a pure state machine: messages,
 * ticks of the clock and blocks coming in; actions (persist, send, finalize,
 * report an equivocation, ask a peer to catch us up) going out, in the order
 * they must happen. It does no I/O and reads no clock: the node's finality
 * service and the network simulator drive the same code.
 *
 * A round `r` (Stewart & Kokoris-Kogia, §4; `finality-grandpa`'s voter):
 * - at its start the round's **primary** proposes the last round's estimate
 *   `E(r-1)` when that was not finalized;
 * - a voter **prevotes** once `2T` passed or the round is completable, for
 *   the best chain containing `E(r-1)` (or the primary's block, when it
 *   lies between `E(r-1)` and the last round's prevote-GHOST);
 * - it **precommits** to the prevote-GHOST `g(r)` once `g(r)` is on the
 *   chain of `E(r-1)` and `4T` passed or the round is completable;
 * - it moves to round `r+1` once it precommitted, round `r` is completable
 *   and `E(r-1)` is finalized. Rounds left behind keep counting votes and
 *   can still finalize, until their estimate is finalized.
 * Any round whose precommits reach a supermajority on a block finalizes
 * it; the voter then sends a commit message. `T` is the gossip time.
 *
 * Safety on restart: the voter's round, its base, its own votes in it and
 * the last completed round are persisted (the `persist` action) before a
 * vote leaves (the `send` action after it); a voter resumed from that
 * record never signs a second, different vote for a round and stage.
 * Liveness on restart: the round's prevotes its precommit rests on are
 * persisted with it, and shared again when the round stalls. GRANDPA's
 * liveness needs every prevote an honest voter saw before precommitting to
 * reach every honest voter (the paper's gossip assumption); an
 * equivocator's prevote sent to one voter only would otherwise be lost with
 * that voter's memory, and its precommit above everyone else's GHOST would
 * keep the round from ever being completable while the equivocator stays
 * silent.
 *
 * Lagging: a neighbour packet from a peer two or more rounds ahead makes
 * the voter ask it for a catch-up (that peer's last completed round, its
 * prevotes and precommits), checked before the voter jumps; a peer in a
 * later set or ahead in finality is reported `behind`, for its
 * justifications to be fetched.
 *
 * @module
 */
import {
  type Equivocation,
  type ImportOutcome,
  Round,
  type RoundState,
  type Vote,
} from "./round.ts";
import { PeerRequests } from "./_peer_requests.ts";
import { commitVerdict, provenRound } from "./_proofs.ts";
import type { BlockRef, Stage } from "./vote_graph.ts";
import type { VoterSet } from "./voter_set.ts";
import type {
  CatchUp,
  Commit,
  CompletedRound,
  NeighbourPacket,
  PrimaryProposal,
  RoundReport,
  VoteFate,
  VoterAction,
  VoterChain,
  VoterInit,
  VoterKey,
  VoterReport,
  VoterTiming,
} from "./voter_io.ts";

export type * from "./voter_io.ts";

/** Rounds ahead of the current one whose votes are kept until the voter gets there. */
const FUTURE_ROUNDS = 2;
/** A neighbour this many rounds ahead is asked for a catch-up (Substrate's threshold). */
const CATCH_UP_THRESHOLD = 2;
/** Rounds left behind that keep counting votes, at most. */
const BACKGROUND_ROUNDS = 8;

type Phase = "start" | "prevoted" | "precommitted";

interface BestRound {
  round: Round;
  phase: Phase;
  startedAt: number;
  proposed: boolean;
  /** False when this voter found nothing to vote for in this round. */
  voting: boolean;
  primaryBlock?: BlockRef;
  mine: Vote[];
}

interface LastRound {
  number: number;
  base: BlockRef;
  /** The round's votes, when they are at hand (not after a restart that lost their blocks). */
  round?: Round;
  /** Its state when it completed; the live round's state supersedes it. */
  state: RoundState;
}

/** The GRANDPA voter of one authority set. */
export class Voter {
  readonly set: VoterSet;
  readonly #chain: VoterChain;
  readonly #key?: VoterKey;
  readonly #timing: Required<VoterTiming>;
  #finalized: BlockRef;
  #best: BestRound;
  #last: LastRound;
  readonly #background = new Map<number, Round>();
  readonly #future = new Map<string, { round: number; votes: Vote[] }>();
  /** Votes for blocks not yet here, at most two per round, stage and voter. */
  #waiting = new Map<string, { round: number; votes: Vote[] }>();
  #actions: VoterAction[] = [];
  #lastRebroadcast: number;
  /** The latest time the voter was told. */
  #now: number;
  /** The highest commit target seen or sent: no commit is sent for it again. */
  #committed = 0;
  readonly #requests: PeerRequests;

  constructor(init: VoterInit) {
    const gossip = init.timing.gossipMs;
    this.#timing = {
      gossipMs: gossip,
      rebroadcastMs: init.timing.rebroadcastMs ?? 4 * gossip,
      catchUpTimeoutMs: init.timing.catchUpTimeoutMs ?? 10 * gossip,
      behindIntervalMs: init.timing.behindIntervalMs ?? 10 * gossip,
    };
    this.#requests = new PeerRequests(this.#timing);
    this.set = init.set;
    this.#chain = init.chain;
    this.#key = init.key && init.set.has(init.key.id) ? init.key : undefined;
    this.#finalized = init.finalized;
    this.#lastRebroadcast = init.now;
    this.#now = init.now;
    const record = init.record?.setId === init.set.setId ? init.record : undefined;
    if (record) {
      this.#last = this.#restoreCompleted(record.completed);
      this.#best = this.#newBest(record.round, record.base, init.now);
      for (const vote of record.mine) this.#restoreMine(vote);
      for (const vote of record.prevotes) this.#restoreVote(vote);
      // What was sent before the restart may not have arrived: send it again.
      for (const vote of this.#best.mine) this.#send(vote);
    } else {
      const genesis = {
        prevoteGhost: init.finalized,
        estimate: init.finalized,
        finalized: init.finalized,
        completable: true,
      };
      this.#last = { number: 0, base: init.finalized, state: genesis };
      this.#best = this.#newBest(1, init.finalized, init.now);
      this.#persist();
    }
    this.#neighbour();
    this.#progress(init.now);
  }

  /** The round the voter is in. */
  get round(): number {
    return this.#best.round.number;
  }

  /** The highest block the voter knows to be final. */
  get finalized(): BlockRef {
    return this.#finalized;
  }

  /** This voter's view, as its neighbour packet says it. */
  get view(): NeighbourPacket {
    return { setId: this.set.setId, round: this.round, finalized: this.#finalized.number };
  }

  /**
   * The rounds in play, as Substrate's `grandpa_roundState` reports them:
   * who prevoted and precommitted in the current round and in the rounds
   * still counting in the background.
   */
  report(): VoterReport {
    const describe = (round: Round): RoundReport => ({
      round: round.number,
      prevoted: round.voted("prevote"),
      precommitted: round.voted("precommit"),
      state: round.state,
    });
    const rounds = [this.#last.round, ...this.#background.values()].filter((r) => r !== undefined);
    return {
      setId: this.set.setId,
      threshold: this.set.threshold,
      voters: this.set.ids,
      phase: this.#best.phase,
      best: describe(this.#best.round),
      background: rounds.map(describe),
      finalized: this.#finalized,
    };
  }

  /** The actions asked for since the last call, in the order they must happen. */
  takeActions(): VoterAction[] {
    const actions = this.#actions;
    this.#actions = [];
    return actions;
  }

  /**
   * When the voter next needs a {@link tick} (ms, on the caller's clock): a
   * deadline still ahead, or the next rebroadcast. A voter past its
   * precommit deadline waits for votes, not for time.
   */
  nextWake(): number {
    const { gossipMs, rebroadcastMs } = this.#timing;
    const best = this.#best;
    const deadline = best.phase === "start"
      ? best.startedAt + 2 * gossipMs
      : best.phase === "prevoted"
      ? best.startedAt + 4 * gossipMs
      : Infinity;
    const rebroadcast = this.#lastRebroadcast + rebroadcastMs;
    return deadline > this.#now ? Math.min(deadline, rebroadcast) : rebroadcast;
  }

  /** Lets timers fire: prevote and precommit deadlines, rebroadcasts. */
  tick(now: number): void {
    if (now >= this.#lastRebroadcast + this.#timing.rebroadcastMs) {
      this.#lastRebroadcast = now;
      this.#rebroadcast(now);
    }
    this.#progress(now);
  }

  /**
   * Where a vote of `round` would go, before its signature is checked (so
   * that stale votes cost no verification).
   */
  relevance(round: number, voter: string): VoteFate {
    if (!this.set.has(voter)) return "not-voter";
    if (this.#roundAt(round)) return "live";
    const ahead = round - this.round;
    return ahead > 0 && ahead <= FUTURE_ROUNDS ? "future" : "stale";
  }

  /** A vote of `round` from the network, its signature checked. */
  onVote(round: number, vote: Vote, now: number): VoteFate {
    const fate = this.relevance(round, vote.voter);
    if (fate === "future") {
      keepTwo(this.#future, round, vote);
      return fate;
    }
    if (fate !== "live") return fate;
    const outcome = this.#import(round, vote);
    this.#progress(now);
    return outcome.kind === "unknown" ? "waiting" : "live";
  }

  /** A primary's proposal for `round`, its signature checked. */
  onPrimary(round: number, proposal: PrimaryProposal, now: number): void {
    const best = this.#best;
    if (round !== best.round.number || proposal.voter !== best.round.primary) return;
    best.primaryBlock ??= proposal.target;
    this.#progress(now);
  }

  /**
   * A commit from the network, its signatures checked: counted into its
   * round when that is live, and finalized when it is valid and new.
   * `unknown` when its blocks are not here yet (nothing to blame).
   */
  onCommit(commit: Commit, now: number): "finalized" | "known" | "invalid" | "unknown" {
    const verdict = commitVerdict(commit, this.set, this.#chain, this.#finalized.number);
    if (verdict !== "valid") return verdict;
    const live = this.#roundAt(commit.round);
    for (const vote of commit.precommits) if (live) this.#import(commit.round, vote);
    this.#committed = Math.max(this.#committed, commit.target.number);
    const fresh = commit.target.number > this.#finalized.number;
    if (fresh) this.#finalize(commit);
    this.#progress(now);
    return fresh ? "finalized" : "known";
  }

  /**
   * A block finalized elsewhere (a justification from sync): the voter
   * notes it, so that rounds that can no longer matter are let go.
   */
  noteFinalized(block: BlockRef, now: number): void {
    if (block.number <= this.#finalized.number) return;
    this.#finalized = block;
    this.#committed = Math.max(this.#committed, block.number);
    this.#pruneBackground();
    this.#neighbour();
    this.#progress(now);
  }

  /** New blocks arrived: votes that waited for them are counted. */
  blocksImported(now: number): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const { round, votes } of waiting) {
      for (const vote of votes) if (this.#roundAt(round)) this.#import(round, vote);
    }
    this.#progress(now);
  }

  /** A peer's view: ask it for a catch-up, or report it ahead, when it is. */
  onNeighbour(peer: string, packet: NeighbourPacket, now: number): void {
    const ahead = packet.setId > this.set.setId ||
      (packet.setId === this.set.setId && packet.finalized > this.#finalized.number);
    if (ahead && this.#requests.reportAhead(peer, now)) {
      this.#actions.push({ kind: "behind", peer });
    }
    if (packet.setId !== this.set.setId || packet.round <= this.round) return;
    // One round behind is normal for a moment; for longer, the votes that
    // completed our round went missing (a Byzantine voter's, sent once).
    const stuck = now - this.#best.startedAt >= 2 * this.#timing.rebroadcastMs;
    if (packet.round < this.round + CATCH_UP_THRESHOLD && !stuck) return;
    if (!this.#requests.mayAsk(peer, now)) return;
    this.#actions.push({ kind: "catch-up", peer, setId: this.set.setId, round: this.round });
  }

  /**
   * The catch-up to answer a peer in round `round` of set `setId` with: the
   * last round this voter completed, when that is the peer's or later.
   */
  catchUpFor(setId: number, round: number): CatchUp | undefined {
    const last = this.#last;
    if (setId !== this.set.setId || !last.round || last.number < round) return undefined;
    // Only votes that show the round completable prove anything to the asker
    // (a round entered by catch-up may hold votes for blocks not here yet).
    if (!last.round.state.completable) return undefined;
    const votes = last.round.votes();
    return {
      setId,
      round: last.number,
      base: last.base,
      prevotes: votes.filter((v) => v.stage === "prevote"),
      precommits: votes.filter((v) => v.stage === "precommit"),
    };
  }

  /**
   * `peer` could not answer our catch-up request (it has no round past ours
   * to give, or refused a request too soon after another): the request is
   * over, and another may go out when a neighbour shows it is worth it. A
   * peer that never answers at all is let go after the timeout instead.
   */
  catchUpFailed(peer: string): void {
    this.#requests.answered(peer);
  }

  /**
   * A catch-up from `peer` (signatures checked): when it proves a completed
   * round, this voter's or a later one, the voter goes on from the round
   * after it. `bad` when it proves nothing it claims; `unknown` when its
   * blocks are not here.
   */
  onCatchUp(peer: string, catchUp: CatchUp, now: number): "good" | "bad" | "useless" | "unknown" {
    this.#requests.answered(peer);
    if (catchUp.setId !== this.set.setId || catchUp.round < this.round) return "useless";
    const proven = provenRound(catchUp, this.set, this.#chain);
    if (proven === "bad") this.#requests.lied(peer, now);
    // An honest peer may hold too few votes to show completability: no lie.
    if (proven === "incomplete") return "useless";
    if (typeof proven === "string") return proven;
    const { round, waiting, equivocations } = proven;
    for (const equivocation of equivocations) this.#reportEquivocation(equivocation);
    // The caught-up round becomes the last completed one, and we go on from
    // it; when it is our own round, the votes we hold join it (on its base,
    // which may be older than ours). Like Substrate's catch-up, this does not
    // wait for E(r-1) to be finalized: a voter that saw other votes of round
    // r-1 than ours may never do so.
    const proved = round.state;
    if (catchUp.round === this.round) {
      for (const vote of this.#best.round.votes()) round.import(vote, this.#chain);
    } else {
      this.#retire(this.#best.round);
    }
    this.#retire(this.#last.round);
    // The state the catch-up proved stands even if our votes move the live one.
    this.#last = { number: round.number, base: round.base, round, state: proved };
    const completed = round;
    this.#finalizeFrom(completed);
    for (const vote of waiting) this.#wait(completed.number, vote);
    this.#best = this.#newBest(completed.number + 1, this.#finalized, now);
    this.#persist();
    this.#replayFuture();
    this.#neighbour();
    this.#progress(now);
    return "good";
  }

  // --- internals ---

  #restoreCompleted(completed: CompletedRound): LastRound {
    if (completed.round === 0) return { number: 0, base: completed.base, state: completed.state };
    const round = new Round(completed.round, this.set, completed.base);
    for (const vote of completed.votes) round.import(vote, this.#chain);
    // The persisted state is what the voter acted on; the votes serve later counting.
    return { number: completed.round, base: completed.base, round, state: completed.state };
  }

  #restoreMine(vote: Vote): void {
    const best = this.#best;
    best.mine.push(vote);
    this.#restoreVote(vote);
    if (vote.stage === "prevote" && best.phase === "start") best.phase = "prevoted";
    if (vote.stage === "precommit") best.phase = "precommitted";
  }

  /** A persisted vote of the current round counts again (evidence was reported before the restart). */
  #restoreVote(vote: Vote): void {
    const round = this.#best.round;
    if (round.import(vote, this.#chain).kind === "unknown") this.#wait(round.number, vote);
  }

  #newBest(number: number, base: BlockRef, now: number): BestRound {
    return {
      round: new Round(number, this.set, base),
      phase: "start",
      startedAt: now,
      proposed: false,
      voting: this.#key !== undefined,
      mine: [],
    };
  }

  /** The live round numbered `round`: the current, the last completed, or one in the background. */
  #roundAt(round: number): Round | undefined {
    if (round === this.#best.round.number) return this.#best.round;
    if (round === this.#last.number) return this.#last.round;
    return this.#background.get(round);
  }

  /**
   * The last round's state: live from its votes once they show it
   * completable (more votes keep it so), else as it was when it completed
   * (after a restart whose votes name blocks not at hand).
   */
  #lastState(): RoundState {
    const live = this.#last.round?.state;
    return live?.completable ? live : this.#last.state;
  }

  #import(round: number, vote: Vote): ImportOutcome {
    const target = this.#roundAt(round)!;
    const outcome = target.import(vote, this.#chain);
    if (outcome.kind === "unknown") this.#wait(round, vote);
    if (outcome.kind === "equivocation") this.#reportEquivocation(outcome.equivocation);
    return outcome;
  }

  #wait(round: number, vote: Vote): void {
    keepTwo(this.#waiting, round, vote);
  }

  #reportEquivocation(equivocation: Equivocation): void {
    this.#actions.push({ kind: "equivocation", setId: this.set.setId, equivocation });
  }

  /** Runs the round's state machine until nothing more can happen now. */
  #progress(now: number): void {
    this.#now = Math.max(this.#now, now);
    for (;;) {
      this.#finalizeFromRounds();
      const best = this.#best;
      const state = best.round.state;
      const last = this.#lastState();
      const { gossipMs } = this.#timing;

      if (!best.proposed && this.#key?.id === best.round.primary && last.estimate) {
        best.proposed = true;
        if (!last.finalized || last.estimate.number > last.finalized.number) {
          const signature = this.#key.sign(
            "primary",
            last.estimate,
            best.round.number,
            this.set.setId,
          );
          this.#actions.push({
            kind: "send",
            message: {
              kind: "primary",
              setId: this.set.setId,
              round: best.round.number,
              proposal: { target: last.estimate, voter: this.#key.id, signature },
            },
          });
        }
      }

      if (best.phase === "start") {
        if (now < best.startedAt + 2 * gossipMs && !state.completable) return;
        const target = best.voting ? this.#prevoteTarget(last) : undefined;
        if (best.voting && !target) best.voting = false;
        if (target) this.#cast("prevote", target);
        best.phase = "prevoted";
        continue;
      }

      if (best.phase === "prevoted") {
        const ghost = best.round.state.prevoteGhost;
        const onEstimate = ghost !== undefined && last.estimate !== undefined &&
          this.#extends(ghost, last.estimate);
        const due = now >= best.startedAt + 4 * gossipMs || best.round.state.completable;
        if (!onEstimate || !due) return;
        if (best.voting) this.#cast("precommit", ghost!);
        best.phase = "precommitted";
        continue;
      }

      // Precommitted: the round may end once completable and E(r-1) is final.
      const current = best.round.state;
      if (!current.completable || !last.estimate) return;
      const estimateFinal = (last.finalized && last.estimate.number <= last.finalized.number) ||
        (current.finalized && last.estimate.number <= current.finalized.number);
      if (!estimateFinal) return;
      this.#complete(now);
    }
  }

  /** The prevote: the best chain containing `E(r-1)`, or the primary's block when it may be used. */
  #prevoteTarget(last: RoundState): BlockRef | undefined {
    const estimate = last.estimate;
    if (!estimate) return undefined;
    let base = estimate;
    const primary = this.#best.primaryBlock;
    const ghost = last.prevoteGhost;
    if (primary && ghost) {
      if (primary.hash === ghost.hash) base = primary;
      else if (
        primary.number < ghost.number && primary.number > estimate.number &&
        this.#extends(ghost, primary) && this.#extends(primary, estimate)
      ) base = primary;
    }
    return this.#chain.bestChainContaining(base);
  }

  /** Whether `block` is `ancestor` or a descendant of it. */
  #extends(block: BlockRef, ancestor: BlockRef): boolean {
    return block.hash === ancestor.hash || this.#chain.ancestry(ancestor, block) !== undefined;
  }

  /** Signs, records (persisting first) and sends this voter's vote in the current round. */
  #cast(stage: Stage, target: BlockRef): void {
    const best = this.#best;
    const key = this.#key!;
    const vote: Vote = {
      stage,
      target,
      voter: key.id,
      signature: key.sign(stage, target, best.round.number, this.set.setId),
    };
    best.mine.push(vote);
    this.#persist();
    this.#import(best.round.number, vote);
    this.#send(vote);
  }

  #send(vote: Vote, round = this.#best.round.number): void {
    this.#actions.push({
      kind: "send",
      message: { kind: "vote", setId: this.set.setId, round, vote },
    });
  }

  /**
   * Sends this voter's votes of the current and the last round again (and
   * its neighbour packet): a peer that lost them would wait for them. A
   * voter stuck in its round for two rebroadcasts sends every vote it holds
   * of both rounds: its peers may have seen other votes (an equivocator's,
   * sent to some only) and disagree on the last round's estimate or on
   * whether this one is completable, which only sharing the votes settles.
   */
  #rebroadcast(now: number): void {
    const stuck = now - this.#best.startedAt >= 2 * this.#timing.rebroadcastMs;
    for (const round of [this.#best.round, this.#last.round]) {
      if (!round) continue;
      const votes = stuck
        ? round.votes()
        : this.#key
        ? [round.voteOf(this.#key.id, "prevote"), round.voteOf(this.#key.id, "precommit")]
        : [];
      for (const vote of votes) if (vote) this.#send(vote, round.number);
    }
    this.#neighbour();
  }

  #neighbour(): void {
    this.#actions.push({ kind: "send", message: { kind: "neighbour", packet: this.view } });
  }

  #persist(): void {
    const last = this.#last;
    this.#actions.push({
      kind: "persist",
      record: {
        setId: this.set.setId,
        round: this.#best.round.number,
        base: this.#best.round.base,
        mine: [...this.#best.mine],
        prevotes: this.#best.round.votes().filter((vote) => vote.stage === "prevote"),
        completed: {
          round: last.number,
          base: last.base,
          state: this.#lastState(),
          votes: last.round?.votes() ?? [],
        },
      },
    });
  }

  /** Round `r` completed: it becomes the last round and `r + 1` begins. */
  #complete(now: number): void {
    const done = this.#best.round;
    this.#retire(this.#last.round);
    this.#last = { number: done.number, base: done.base, round: done, state: done.state };
    this.#best = this.#newBest(done.number + 1, this.#finalized, now);
    this.#persist();
    this.#replayFuture();
    this.#neighbour();
  }

  /** Keeps a round counting in the background (its estimate may not be final yet). */
  #retire(round: Round | undefined): void {
    if (!round || round.number === 0) return;
    this.#background.set(round.number, round);
    if (this.#background.size > BACKGROUND_ROUNDS) {
      this.#background.delete(Math.min(...this.#background.keys()));
    }
    this.#pruneBackground();
  }

  /** Lets go of background rounds whose estimate is final: they can finalize nothing new. */
  #pruneBackground(): void {
    for (const [number, round] of this.#background) {
      const estimate = round.state.estimate;
      if (!estimate || estimate.number <= this.#finalized.number) this.#background.delete(number);
    }
  }

  #replayFuture(): void {
    const round = this.round;
    for (const [key, kept] of this.#future) {
      if (kept.round < round) this.#future.delete(key);
      else if (kept.round === round) {
        this.#future.delete(key);
        for (const vote of kept.votes) this.#import(round, vote);
      }
    }
  }

  #finalizeFromRounds(): void {
    for (const round of [this.#best.round, this.#last.round, ...this.#background.values()]) {
      if (round) this.#finalizeFrom(round);
    }
  }

  #finalizeFrom(round: Round): void {
    const finalized = round.state.finalized;
    if (!finalized || finalized.number <= this.#finalized.number) return;
    const commit = {
      round: round.number,
      target: finalized,
      precommits: round.finalizingPrecommits(),
    };
    this.#finalize(commit);
    if (finalized.number > this.#committed) {
      this.#committed = finalized.number;
      this.#actions.push({
        kind: "send",
        message: { kind: "commit", setId: this.set.setId, commit },
      });
    }
  }

  #finalize(commit: Commit): void {
    this.#finalized = commit.target;
    this.#actions.push({ kind: "finalize", commit });
    this.#pruneBackground();
    this.#neighbour();
  }
}

/**
 * Keeps `vote` for later: two different votes per round, stage and voter at
 * most (enough to prove an equivocation), so that no voter can fill memory.
 */
function keepTwo(
  kept: Map<string, { round: number; votes: Vote[] }>,
  round: number,
  vote: Vote,
): void {
  const key = `${round}/${vote.stage}/${vote.voter}`;
  const entry = kept.get(key) ?? { round, votes: [] };
  if (entry.votes.length < 2 && !entry.votes.some((v) => v.target.hash === vote.target.hash)) {
    entry.votes.push(vote);
  }
  kept.set(key, entry);
}
