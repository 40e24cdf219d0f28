/**
 * The finality service: the node's host for the GRANDPA {@link Voter}. It
 * gives the voter the chain, the clock and the network, and carries out
 * what the voter asks, in order:
 *
 * - **persist**: the voter's record, written with `sync` before anything
 *   after it (the vote it holds) is sent;
 * - **send**: votes, commits and neighbour packets on the `grandpa` topic;
 * - **finalize**: the block, with a justification that carries the commit
 *   and the headers that prove its precommits' ancestry;
 * - **catch-up**: a request to a peer on the `grandpa-catch-up` protocol;
 * - **behind**: blocks and justifications fetched from a peer ahead;
 * - **equivocation**: a proof handed to the reporter.
 *
 * Messages from the network are checked before the voter sees them (set,
 * voter, round, then signature), and a gossip verdict says whether they
 * travel on: only what is checkably invalid is rejected, and only its
 * sender is penalized. Justifications from sync are checked on their own
 * against the current authority set, never past a block that changes it.
 * When a block that changes the set is finalized, a voter of the new set
 * takes over.
 *
 * @module
 */
import type { Header } from "../../../runtime/block/header.ts";
import {
  decodeJustification,
  encodeJustification,
  type GrandpaEquivocationProof,
  localizedPayload,
} from "../../../runtime/consensus/grandpa.ts";
import {
  JustificationError,
  verifyJustification,
} from "../../../runtime/consensus/justification.ts";
import { type Keypair, verifyNative } from "../../../runtime/crypto/mod.ts";
import { fromHex, toHexRaw } from "../../../runtime/primitives/hex.ts";
import { authorities, authoritySetId, slotDuration } from "../../../pallets/authorship/mod.ts";
import type { ChainClient, TreeBlock } from "../../chain/mod.ts";
import type { ChainDatabase } from "../../db/mod.ts";
import type { Logger } from "../../log.ts";
import {
  type GossipVerdict,
  type Network,
  NetworkError,
  NetworkErrorCode,
} from "../../network/mod.ts";
import { BoundedMap } from "../../bounded_map.ts";
import { ClientChain } from "./_chain.ts";
import { decodeRecord, encodeRecord } from "./_record.ts";
import {
  decodeCatchUp,
  decodeCatchUpRequest,
  decodeGossip,
  encodeCatchUp,
  encodeCatchUpRequest,
  encodeCommit,
  encodeNeighbour,
  encodePrimary,
  encodeVote,
  type GossipIn,
  signedPrecommits,
  voteMessage,
} from "./messages.ts";
import type { Equivocation, Vote } from "./round.ts";
import { VoterSet } from "./voter_set.ts";
import { type Commit, type Outgoing, Voter, type VoterAction, type VoterReport } from "./voter.ts";

/** The gossip topic of votes, commits and neighbour packets. */
export const GRANDPA_TOPIC = "grandpa" as const;
/** The request-response protocol of catch-ups. */
export const CATCH_UP_PROTOCOL = "grandpa-catch-up";

/** Penalties reported to the network (100 bans). */
const PENALTY = { garbage: 100, badSignature: 100, notVoter: 50, badCommit: 100, badCatchUp: 50 };
/** How long a block asked for by hash is not asked for again (ms). */
const FETCH_AGAIN_MS = 2_000;
/** How often one peer's catch-up requests are served (ms). */
const SERVE_CATCH_UP_MS = 1_000;

/** What the finality service needs. */
export interface FinalityInit {
  client: ChainClient;
  db: ChainDatabase;
  log: Logger;
  /** The network; without it (a lone dev node) the voter votes alone. */
  network?: Network;
  /** This node's session key, if it votes. */
  key?: Keypair;
  /** `T`, the gossip time; default: a sixth of the slot, 50 ms to 1 s (a lone voter need not wait). */
  gossipMs?: number;
  /** Proof that an authority equivocated, to report on chain. */
  onEquivocation?: (proof: GrandpaEquivocationProof) => void;
  /** Fetches block `hash` and its unknown ancestors from `peer`. */
  fetchBlock?: (peer: string, hash: Uint8Array) => void;
  /** Fetches the blocks above the finalized one, with their justifications, from `peer`. */
  fetchFinality?: (peer: string) => void;
  now?: () => number;
}

/** What became of a justification from sync. */
export type JustificationOutcome =
  /** It finalized its block. */
  | "finalized"
  /** Its block is final already, or not here. */
  | "known"
  /** It lies past a set change this node has not finalized: it cannot be checked yet. */
  | "later";

/** Runs GRANDPA for the node. */
export class FinalityService {
  readonly #init: FinalityInit;
  readonly #chain: ClientChain;
  readonly #now: () => number;
  #voter!: Voter;
  #queue: VoterAction[] = [];
  #busy: Promise<void> = Promise.resolve();
  #draining = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** When each block was last asked for by hash, and each peer's catch-up last served. */
  readonly #fetched = new BoundedMap<string, number>(4096);
  readonly #served = new BoundedMap<string, number>(1024);
  readonly #unsubscribe: (() => void)[] = [];

  private constructor(init: FinalityInit, chain: ClientChain) {
    this.#init = init;
    this.#now = init.now ?? Date.now;
    this.#chain = chain;
  }

  /** Starts voting (or following) in the authority set of the finalized block. */
  static async start(init: FinalityInit): Promise<FinalityService> {
    const stored = await init.db.getMeta("finality");
    let record;
    try {
      record = stored ? decodeRecord(stored) : undefined;
    } catch (e) {
      init.log.warn(`finality: the stored voter record is unreadable, starting afresh: ${e}`);
    }
    // The rounds the record restores may be based below the finalized block.
    const oldestBase = record && Math.min(record.base.number, record.completed.base.number);
    const service = new FinalityService(init, await ClientChain.open(init.client, oldestBase));
    service.#enterSet(init.client.finalized, record);
    const { client, network } = init;
    service.#unsubscribe.push(
      client.onImported(() => service.#with((voter) => voter.blocksImported(service.#now()))),
      client.onFinalized((block) => service.#finalizedElsewhere(block)),
    );
    if (network) {
      service.#unsubscribe.push(
        network.subscribe(GRANDPA_TOPIC, (data, from) => service.#onGossip(data, from)),
      );
      await network.handle(
        CATCH_UP_PROTOCOL,
        (request, from) => service.#serveCatchUp(request, from),
      );
    }
    service.#drain();
    return service;
  }

  /** The voter's rounds (for logs and RPC). */
  report(): VoterReport {
    return this.#voter.report();
  }

  /**
   * Checks a justification from sync against the current authority set and
   * finalizes its block.
   *
   * @throws {JustificationError} when it does not prove what it claims
   */
  importJustification(bytes: Uint8Array): Promise<JustificationOutcome> {
    return this.#serial(async () => {
      const { client } = this.#init;
      let justification;
      try {
        justification = decodeJustification(bytes);
      } catch (e) {
        throw new JustificationError(`Invalid justification: ${(e as Error).message}`);
      }
      const target = client.block(justification.commit.targetHash);
      const finalized = client.finalized;
      // The tree holds the finalized block and its descendants only: a block
      // off the finalized chain is not found, and its justification is moot.
      if (!target || target.header.number <= finalized.header.number) return "known";
      const change = this.#chain.changeAbove(finalized, target);
      if (change && change.hashHex !== target.hashHex) return "later";
      const set = this.#voter.set;
      verifyJustification(
        justification,
        { setId: BigInt(set.setId), authorities: set.ids.map(fromHex) },
        verifyNative,
        { hash: target.hash, number: target.header.number },
      );
      await client.finalize(target.hash, bytes);
      return "finalized";
    });
  }

  /** Stops voting; the network and chain are the caller's to stop. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await this.#init.network?.unhandle(CATCH_UP_PROTOCOL).catch(() => {});
    await this.#busy;
  }

  // --- the voter and its actions ---

  /** A voter for the set that the finalized block `block` hands on to. */
  #enterSet(block: TreeBlock, record?: ReturnType<typeof decodeRecord>): void {
    const { client, key } = this.#init;
    const state = client.stateAt(block.header);
    const set = new VoterSet(Number(authoritySetId(state)), authorities(state).map(toHexRaw));
    const slotMs = Number(slotDuration(state));
    const gossipMs = this.#init.gossipMs ??
      (set.size === 1 ? 10 : Math.min(1000, Math.max(50, Math.round(slotMs / 6))));
    this.#voter = new Voter({
      set,
      chain: this.#chain,
      timing: { gossipMs },
      finalized: { hash: block.hashHex, number: block.header.number },
      key: key && {
        id: toHexRaw(key.publicKey),
        sign: (stage, target, round, setId) =>
          key.sign(localizedPayload(voteMessage(stage, target), BigInt(round), BigInt(setId))),
      },
      record,
      now: this.#now(),
    });
    this.#init.log.info(
      `🗳  Finality: set ${set.setId} of ${set.size} voters, round ${this.#voter.round}` +
        (key && set.has(toHexRaw(key.publicKey)) ? ", voting" : ""),
    );
  }

  /** Calls the voter, then carries out what it asked. */
  #with(call: (voter: Voter) => void): void {
    if (this.#stopped) return;
    call(this.#voter);
    this.#drain();
  }

  /** Queues the voter's actions and carries them out one after another. */
  #drain(): void {
    this.#queue.push(...this.#voter.takeActions());
    if (this.#draining) return;
    this.#draining = true;
    this.#busy = this.#busy.then(async () => {
      while (this.#queue.length && !this.#stopped) {
        const action = this.#queue.shift()!;
        try {
          await this.#act(action);
        } catch (e) {
          this.#init.log.error(`finality: ${action.kind} failed: ${(e as Error).stack ?? e}`);
          if (action.kind === "persist") {
            // A vote whose record is not on disk must not leave: stop voting.
            this.#init.log.error("finality: the voter's record could not be written; voting stops");
            this.#stopped = true;
          }
        }
        this.#queue.push(...this.#voter.takeActions());
      }
      this.#draining = false;
      this.#schedule();
    });
  }

  /** Runs `task` after the queued actions, with none running beside it. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(task);
    this.#busy = run.then(() => {}, () => {});
    return run.finally(() => this.#drain());
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const wait = Math.max(0, this.#voter.nextWake() - this.#now());
    this.#timer = setTimeout(() => this.#with((v) => v.tick(this.#now())), Math.min(wait, 60_000));
  }

  async #act(action: VoterAction): Promise<void> {
    switch (action.kind) {
      case "persist":
        // A record of a set this node has left is stale.
        if (action.record.setId !== this.#voter.set.setId) return;
        return await this.#init.db.putMeta({ finality: encodeRecord(action.record) }, {
          sync: true,
        });
      case "send":
        return await this.#send(action.message);
      case "finalize":
        return await this.#finalize(action.commit);
      case "equivocation":
        return this.#init.onEquivocation?.(equivocationProof(action.setId, action.equivocation));
      case "catch-up":
        return void this.#catchUp(action.peer, action.setId, action.round);
      case "behind":
        return this.#init.fetchFinality?.(action.peer);
    }
  }

  async #send(message: Outgoing): Promise<void> {
    const network = this.#init.network;
    if (!network) return;
    const bytes = message.kind === "vote"
      ? encodeVote(message.setId, message.round, message.vote)
      : message.kind === "primary"
      ? encodePrimary(message.setId, message.round, message.proposal)
      : message.kind === "commit"
      ? encodeCommit(message.setId, message.commit)
      : encodeNeighbour(message.packet);
    await network.publish(GRANDPA_TOPIC, bytes).catch(() => {});
  }

  /** Finalizes a commit's target with a justification that stands on its own. */
  async #finalize(commit: Commit): Promise<void> {
    const { client } = this.#init;
    const target = client.block(commit.target.hash);
    if (!target || target.header.number <= client.finalized.header.number) return;
    const justification = encodeJustification({
      round: BigInt(commit.round),
      commit: {
        targetHash: target.hash,
        targetNumber: target.header.number,
        precommits: signedPrecommits(commit.precommits),
      },
      votesAncestries: this.#ancestries(commit),
    });
    await client.finalize(target.hash, justification);
  }

  /** The headers between a commit's target and each precommit above it. */
  #ancestries(commit: Commit): Header[] {
    const { client } = this.#init;
    const headers = new Map<string, Header>();
    for (const vote of commit.precommits) {
      const route = this.#chain.ancestry(commit.target, vote.target);
      for (const hash of route ?? []) {
        const block = client.block(hash);
        if (block) headers.set(hash, block.header);
      }
    }
    return [...headers.values()];
  }

  /** A block became final: the voter hears of it, and a set change hands over. */
  #finalizedElsewhere(block: TreeBlock): void {
    if (this.#stopped) return;
    const state = this.#init.client.stateAt(block.header);
    if (Number(authoritySetId(state)) !== this.#voter.set.setId) {
      this.#enterSet(block);
      this.#drain();
      return;
    }
    this.#with((voter) =>
      voter.noteFinalized({ hash: block.hashHex, number: block.header.number }, this.#now())
    );
  }

  // --- the network ---

  #onGossip(data: Uint8Array, from: string): GossipVerdict {
    const network = this.#init.network!;
    let message: GossipIn;
    try {
      message = decodeGossip(data);
    } catch {
      network.report(from, PENALTY.garbage, "undecodable GRANDPA message");
      return "reject";
    }
    if (this.#stopped) return "ignore";
    const verdict = this.#check(message, from);
    this.#drain();
    return verdict;
  }

  #check(message: GossipIn, from: string): GossipVerdict {
    const network = this.#init.network!;
    const voter = this.#voter;
    const now = this.#now();
    if (message.kind === "neighbour") {
      voter.onNeighbour(from, message.packet, now);
      // A neighbour packet is for the peer that sent it: never passed on.
      return "ignore";
    }
    if (message.setId !== voter.set.setId) {
      // A later set's message: the sender finalized a set change we have not.
      if (message.setId > voter.set.setId) {
        const round = message.kind === "commit" ? message.commit.round : message.round;
        voter.onNeighbour(from, { setId: message.setId, round, finalized: 0 }, now);
      }
      return "ignore";
    }
    if (message.kind === "commit") {
      const { commit } = message;
      if (commit.precommits.some((v) => !voter.set.has(v.voter))) {
        network.report(from, PENALTY.badCommit, "a commit with a precommit of no voter");
        return "reject";
      }
      if (!commit.precommits.every((v) => this.#signed(v, commit.round, message.setId))) {
        network.report(from, PENALTY.badSignature, "a commit with a bad signature");
        return "reject";
      }
      const outcome = voter.onCommit(commit, now);
      if (outcome === "invalid") {
        network.report(from, PENALTY.badCommit, "a commit that finalizes nothing");
        return "reject";
      }
      if (outcome === "unknown") this.#fetch(from, commit.target.hash);
      return outcome === "unknown" ? "ignore" : "accept";
    }
    const voterId = message.kind === "vote" ? message.vote.voter : message.proposal.voter;
    const fate = voter.relevance(message.round, voterId);
    if (fate === "not-voter") {
      network.report(from, PENALTY.notVoter, "a vote of no voter");
      return "reject";
    }
    if (fate === "stale") return "ignore";
    if (message.kind === "primary") {
      const { proposal } = message;
      const payload = localizedPayload(
        voteMessage("primary", proposal.target),
        BigInt(message.round),
        BigInt(message.setId),
      );
      if (!verifyNative(proposal.signature, payload, fromHex(proposal.voter))) {
        network.report(from, PENALTY.badSignature, "a proposal with a bad signature");
        return "reject";
      }
      voter.onPrimary(message.round, proposal, now);
      return "accept";
    }
    if (!this.#signed(message.vote, message.round, message.setId)) {
      network.report(from, PENALTY.badSignature, "a vote with a bad signature");
      return "reject";
    }
    if (voter.onVote(message.round, message.vote, now) === "waiting") {
      this.#fetch(from, message.vote.target.hash);
    }
    return "accept";
  }

  #signed(vote: Vote, round: number, setId: number): boolean {
    const payload = localizedPayload(
      voteMessage(vote.stage, vote.target),
      BigInt(round),
      BigInt(setId),
    );
    return verifyNative(vote.signature, payload, fromHex(vote.voter));
  }

  /** Asks `peer` for block `hash`, once in a while at most. */
  #fetch(peer: string, hash: string): void {
    const now = this.#now();
    if ((this.#fetched.get(hash) ?? -Infinity) > now - FETCH_AGAIN_MS) return;
    this.#fetched.set(hash, now);
    this.#init.fetchBlock?.(peer, fromHex(hash));
  }

  #serveCatchUp(request: Uint8Array, from: string): Promise<Uint8Array> {
    const now = this.#now();
    if ((this.#served.get(from) ?? -Infinity) > now - SERVE_CATCH_UP_MS) {
      return Promise.reject(new Error("Too many catch-up requests"));
    }
    this.#served.set(from, now);
    const { setId, round } = decodeCatchUpRequest(request);
    const catchUp = this.#voter.catchUpFor(setId, round);
    if (!catchUp) {
      return Promise.reject(new Error(`No completed round past ${round} of set ${setId}`));
    }
    return Promise.resolve(encodeCatchUp(catchUp));
  }

  async #catchUp(peer: string, setId: number, round: number): Promise<void> {
    const network = this.#init.network;
    if (!network) return;
    let bytes: Uint8Array;
    try {
      bytes = await network.request(peer, CATCH_UP_PROTOCOL, encodeCatchUpRequest(setId, round), {
        timeoutMs: 10_000,
      });
    } catch (e) {
      this.#init.log.debug(`finality: no catch-up from ${peer}: ${(e as Error).message}`);
      // An answer that says no is over now; silence waits for the voter's timeout.
      if (e instanceof NetworkError && e.code === NetworkErrorCode.RemoteError) {
        this.#with((voter) => voter.catchUpFailed(peer));
      }
      return;
    }
    let catchUp;
    try {
      catchUp = decodeCatchUp(bytes);
    } catch {
      network.report(peer, PENALTY.garbage, "undecodable catch-up");
      return;
    }
    const votes = [...catchUp.prevotes, ...catchUp.precommits];
    if (
      !votes.every((v) => this.#voter.set.has(v.voter) && this.#signed(v, catchUp.round, setId))
    ) {
      network.report(peer, PENALTY.badCatchUp, "a catch-up with a bad vote");
      return;
    }
    this.#with((voter) => {
      const verdict = voter.onCatchUp(peer, catchUp, this.#now());
      if (verdict === "bad") {
        network.report(peer, PENALTY.badCatchUp, "a catch-up that proves nothing");
      }
      // Blocks a catch-up names and this node lacks (whether it could jump or not) come from its sender.
      for (const vote of votes) {
        if (!this.#chain.has(vote.target.hash)) this.#fetch(peer, vote.target.hash);
      }
      if (verdict === "good") this.#init.log.info(`🏃 Finality: caught up to round ${voter.round}`);
    });
  }
}

/** Substrate's equivocation proof for two votes of one voter in one round. */
function equivocationProof(
  setId: number,
  { round, first, second }: Equivocation,
): GrandpaEquivocationProof {
  const vote = (v: Vote): [{ targetHash: Uint8Array; targetNumber: number }, Uint8Array] => [
    { targetHash: fromHex(v.target.hash), targetNumber: v.target.number },
    v.signature,
  ];
  const value = {
    roundNumber: BigInt(round),
    identity: fromHex(first.voter),
    first: vote(first),
    second: vote(second),
  };
  return {
    setId: BigInt(setId),
    equivocation: first.stage === "prevote"
      ? { tag: "Prevote", value }
      : { tag: "Precommit", value },
  };
}
