/**
 * A deterministic, in-process GRANDPA network: N voters running the node's
 * own {@link Voter} on one block tree, with a seeded scheduler that delays,
 * reorders and loses messages, splits the network and heals it, crashes
 * voters and restarts them from what they persisted, and lets Byzantine
 * voters equivocate, withhold or make things up.
 *
 * A run checks three properties and reports every breach:
 * - **safety**: no two honest voters finalize conflicting blocks;
 * - **no self-slashing**: no honest voter, restarted at any point, sends or
 *   persists two different votes for one round and stage;
 * - **liveness**: once the network is synchronous (after `gst`: partitions
 *   healed, restarts done, every message within `T`), every honest voter
 *   finalizes a block above any block known at `gst`.
 *
 * Signatures are not made or checked here: a voter can only send votes in
 * its own name, which is what signatures guarantee in the node.
 *
 * @module
 */
import type { Vote } from "../round.ts";
import type { BlockRef, Stage } from "../vote_graph.ts";
import { VoterSet } from "../voter_set.ts";
import {
  type CatchUp,
  type Commit,
  type Outgoing,
  Voter,
  type VoterAction,
  type VoterKey,
  type VoterRecord,
  type VoterReport,
} from "../voter.ts";
import { BlockTree, ChainView, type SimBlock } from "./chain.ts";
import { Random } from "./random.ts";
import type { Scenario } from "./scenario.ts";

/** What a run found. */
export interface SimulationResult {
  seed: number;
  /** Every breach of safety, of no self-slashing and of liveness. */
  violations: string[];
  /** The highest round any honest voter reached. */
  rounds: number;
  /** Rounds the slowest honest voter went through from `gst` until it finalized past the `gst` chain. */
  roundsToFinality: number;
  /** The highest block finalized by every honest voter at the end. */
  finalizedByAll: number;
  /** Messages delivered. */
  delivered: number;
  /** Each voter's rounds at the end (for a replayed failure). */
  voters: (VoterReport | undefined)[];
}

interface SimNode {
  index: number;
  id: string;
  honest: boolean;
  view: ChainView;
  up: boolean;
  voter?: Voter;
  /** What the voter persisted last (survives crashes). */
  record?: VoterRecord;
  /** The durable finalized block and the commit that finalized it. */
  finalized: BlockRef;
  commit?: Commit;
  /** When the node's wake-up is due, and which scheduling of it is current. */
  wakeAt: number;
  wakeGeneration: number;
  /** Kill after this many actions of the next batch (a pending crash). */
  cutAfter?: number;
  restartAt?: number;
  /** The round it was in at `gst`, and the time it finalized past the `gst` chain. */
  roundAtGst?: number;
  liveAt?: number;
  roundAtLive?: number;
  /** The highest round a Byzantine "random" voter has heard of. */
  heardRound: number;
  /** Gossip messages (by id) this node has seen: each is handled and relayed once. */
  seen: Set<number>;
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

const NO_SIGNATURE = new Uint8Array(0);
/** Neighbours a node relays a message to (gossipsub's mesh degree). */
const RELAY_FANOUT = 6;

/** Runs `scenario` to its end and checks the properties. */
export function simulate(scenario: Scenario): SimulationResult {
  return new Simulation(scenario).run();
}

class Simulation {
  readonly #s: Scenario;
  readonly #random: Random;
  readonly #tree = new BlockTree();
  readonly #nodes: SimNode[];
  readonly #set: VoterSet;
  readonly #queue: Event[] = [];
  #seq = 0;
  #messages = 0;
  #now = 0;
  #delivered = 0;
  readonly #violations: string[] = [];
  /** The highest block any honest voter finalized: every finalization must be on its chain. */
  #highestFinal: BlockRef;
  /** Each honest voter's votes by set, round and stage: one target each. */
  readonly #signed = new Map<string, string>();
  #gstHeight = 0;
  readonly #honest: Set<string>;

  constructor(scenario: Scenario) {
    this.#s = scenario;
    this.#random = new Random(scenario.seed ^ 0x5bd1e995);
    const ids = [...Array(scenario.voters).keys()].map((i) => `v${i}`);
    this.#set = new VoterSet(0, ids);
    this.#highestFinal = this.#tree.genesis;
    this.#honest = new Set(ids.slice(0, scenario.voters - scenario.byzantine));
    this.#nodes = ids.map((id, index) => ({
      index,
      id,
      honest: index < scenario.voters - scenario.byzantine,
      view: new ChainView(this.#tree),
      up: false,
      finalized: this.#tree.genesis,
      wakeAt: Infinity,
      wakeGeneration: 0,
      heardRound: 0,
      seen: new Set(),
    }));
  }

  run(): SimulationResult {
    const s = this.#s;
    for (const node of this.#nodes) this.#start(node);
    for (const crash of s.crashes) {
      this.#at(crash.at, () => {
        const node = this.#nodes[crash.node];
        if (!node.up || node.cutAfter !== undefined) return;
        node.cutAfter = crash.cut;
        node.restartAt = Math.max(crash.restartAt, this.#now);
        this.#wake(node, this.#now);
      });
    }
    for (let slot = 1; slot * s.slotMs < s.gst + s.afterGstMs; slot++) {
      this.#at(slot * s.slotMs, () => this.#author(slot));
    }
    for (let t = s.slotMs; t < s.gst + s.afterGstMs; t += 2 * s.slotMs) {
      this.#at(t, () => this.#syncBlocks());
    }
    this.#at(s.gst, () => this.#markGst());
    const end = s.gst + s.afterGstMs;
    while (this.#queue.length) {
      const event = this.#pop();
      if (event.at > end) break;
      this.#now = event.at;
      event.run();
    }
    return this.#result();
  }

  // --- voters ---

  #start(node: SimNode): void {
    node.up = true;
    node.cutAfter = undefined;
    node.restartAt = undefined;
    if (!node.honest && this.#s.misbehaviour !== "equivocate") {
      if (this.#s.misbehaviour === "random") {
        this.#every(this.#s.gossipMs, () => this.#makeThingsUp(node));
      }
      return;
    }
    node.voter = new Voter({
      set: this.#set,
      chain: node.view,
      timing: { gossipMs: this.#s.gossipMs },
      finalized: node.finalized,
      key: this.#keyOf(node),
      record: node.record,
      now: this.#now,
    });
    this.#drain(node);
  }

  #keyOf(node: SimNode): VoterKey {
    return { id: node.id, sign: () => NO_SIGNATURE };
  }

  #crash(node: SimNode): void {
    node.up = false;
    node.voter = undefined;
    node.cutAfter = undefined;
    const restartAt = node.restartAt ?? this.#now;
    this.#at(restartAt, () => this.#start(node));
  }

  /** Carries out the voter's actions, in order, and schedules its next wake-up. */
  #drain(node: SimNode): void {
    const voter = node.voter;
    if (!voter) return;
    for (const action of voter.takeActions()) {
      if (node.cutAfter !== undefined && node.cutAfter-- <= 0) return this.#crash(node);
      this.#act(node, action);
    }
    if (node.cutAfter !== undefined) return this.#crash(node);
    this.#wake(node, voter.nextWake());
  }

  #wake(node: SimNode, at: number): void {
    if (at >= node.wakeAt && node.wakeAt > this.#now) return;
    node.wakeAt = at;
    const generation = ++node.wakeGeneration;
    this.#at(Math.max(at, this.#now), () => {
      if (generation !== node.wakeGeneration || !node.up) return;
      node.wakeAt = Infinity;
      node.voter?.tick(this.#now);
      this.#drain(node);
    });
  }

  #act(node: SimNode, action: VoterAction): void {
    switch (action.kind) {
      case "persist":
        for (const vote of action.record.mine) this.#noteSigned(action.record.round, vote);
        node.record = action.record;
        return;
      case "send":
        return this.#send(node, action.message);
      case "finalize":
        return this.#finalized(node, action.commit);
      case "equivocation":
        return;
      case "catch-up":
        return this.#requestCatchUp(node, action.peer, action.setId, action.round);
      case "behind":
        return this.#requestJustification(node, action.peer);
    }
  }

  #send(node: SimNode, message: Outgoing): void {
    if (message.kind === "vote") {
      this.#noteSigned(message.round, message.vote);
      // A Byzantine voter splits its own votes; it cannot sign others'.
      if (!node.honest && message.vote.voter === node.id) {
        return this.#equivocate(node, message.round, message.vote);
      }
    }
    this.#gossip(node, message);
  }

  /**
   * Sends `message` as gossip does: a node's own message to every
   * neighbour, a relayed one (`except` its sender) to at most `RELAY_FANOUT`
   * of them, as gossipsub's mesh keeps a handful of peers per topic.
   */
  #gossip(node: SimNode, message: Outgoing, id = this.#messages++, except?: SimNode): void {
    node.seen.add(id);
    let peers = this.#neighbours(node).filter((peer) => peer !== except);
    if (except && peers.length > RELAY_FANOUT) {
      peers = this.#random.shuffle(peers).slice(0, RELAY_FANOUT);
    }
    for (const peer of peers) {
      this.#deliver(node, peer, (to) => this.#receive(to, node, message, id));
    }
  }

  #neighbours(node: SimNode): SimNode[] {
    return this.#s.links[node.index].map((i) => this.#nodes[i]);
  }

  #receive(node: SimNode, from: SimNode, message: Outgoing, id: number): void {
    if (node.seen.has(id)) return;
    node.seen.add(id);
    const voter = node.voter;
    if (message.kind === "vote" || message.kind === "neighbour") {
      node.heardRound = Math.max(
        node.heardRound,
        message.kind === "vote" ? message.round : message.packet.round,
      );
    }
    // Byzantine nodes relay nothing; honest ones what they accept, as the node's gossip verdicts say.
    if (!voter || !node.honest) return void (voter && this.#handle(node, from, message));
    if (this.#handle(node, from, message)) this.#gossip(node, message, id, from);
  }

  /** Hands `message` to the node's voter; whether the node would relay it. */
  #handle(node: SimNode, from: SimNode, message: Outgoing): boolean {
    const voter = node.voter!;
    let relay = false;
    switch (message.kind) {
      case "vote": {
        // A vote for a block not here: fetch it from the peer that has it, as sync does.
        const fate = voter.onVote(message.round, message.vote, this.#now);
        if (fate === "waiting") this.#fetchBlock(node, from, message.vote.target.hash);
        relay = fate === "live" || fate === "future" || fate === "waiting";
        break;
      }
      case "primary":
        relay = voter.relevance(message.round, message.proposal.voter) !== "stale";
        voter.onPrimary(message.round, message.proposal, this.#now);
        break;
      case "commit": {
        this.#receiveBlocksOf(node, message.commit);
        const outcome = voter.onCommit(message.commit, this.#now);
        relay = outcome === "finalized" || outcome === "known";
        break;
      }
      case "neighbour":
        // For the neighbour that sent it only.
        voter.onNeighbour(from.id, message.packet, this.#now);
        break;
    }
    this.#drain(node);
    return relay;
  }

  #requestCatchUp(node: SimNode, peerId: string, setId: number, round: number): void {
    const peer = this.#nodes.find((n) => n.id === peerId)!;
    this.#deliver(node, peer, (to) => {
      const catchUp = to.voter?.catchUpFor(setId, round) ?? this.#madeUpCatchUp(to, setId, round);
      if (!catchUp) {
        // An honest peer with nothing to give says so (a crashed one says nothing).
        if (to.voter) {
          this.#deliver(to, node, (back) => {
            back.voter?.catchUpFailed(to.id);
            this.#drain(back);
          });
        }
        return;
      }
      this.#deliver(to, node, (back) => {
        back.voter?.onCatchUp(to.id, catchUp, this.#now);
        // Blocks the catch-up names and this node lacks come from its sender, as sync fetches them.
        for (const vote of [...catchUp.prevotes, ...catchUp.precommits]) {
          if (!back.view.has(vote.target.hash)) this.#fetchBlock(back, to, vote.target.hash);
        }
        this.#drain(back);
      });
    });
  }

  #requestJustification(node: SimNode, peerId: string): void {
    const peer = this.#nodes.find((n) => n.id === peerId)!;
    this.#deliver(node, peer, (to) => {
      const commit = to.commit;
      if (!commit) return;
      this.#deliver(to, node, (back) => {
        this.#receiveBlocksOf(back, commit);
        back.voter?.onCommit(commit, this.#now);
        this.#drain(back);
      });
    });
  }

  /** A commit travels with its blocks, as a justification does. */
  #receiveBlocksOf(node: SimNode, commit: Commit): void {
    let added = node.view.receive(this.#tree.get(commit.target.hash));
    for (const vote of commit.precommits) {
      added = node.view.receive(this.#tree.get(vote.target.hash)) || added;
    }
    if (added) node.voter?.blocksImported(this.#now);
  }

  // --- blocks ---

  #author(slot: number): void {
    const node = this.#nodes[slot % this.#nodes.length];
    if (!node.up || (!node.honest && this.#s.misbehaviour === "withhold")) return;
    const best = this.#tree.get(node.view.bestChainContaining(node.finalized)!.hash);
    const blocks = [this.#tree.add(best, node.index)];
    if (!node.honest) blocks.push(...this.#fork(best, node.index));
    for (const block of blocks) {
      node.view.receive(block);
      this.#announce(node, block);
    }
    node.voter?.blocksImported(this.#now);
    this.#drain(node);
  }

  /** Gossips `block` to `node`'s neighbours; honest ones pass a new block on. */
  #announce(node: SimNode, block: SimBlock, except?: SimNode): void {
    for (const peer of this.#neighbours(node)) {
      if (peer === except) continue;
      this.#deliver(node, peer, (to) => {
        if (this.#receiveBlock(to, block) && to.honest) this.#announce(to, block, node);
      });
    }
  }

  /**
   * A Byzantine author's fork: a chain of one to four blocks from an
   * ancestor up to three blocks below its best, often longer than the
   * honest chain, so that honest nodes switch to it (and, without the
   * estimate rules, would vote off what may be final).
   */
  #fork(best: SimBlock, author: number): SimBlock[] {
    let from = best;
    for (let back = this.#random.int(1, 3); back > 0 && from.parent; back--) {
      from = this.#tree.get(from.parent);
    }
    const out: SimBlock[] = [];
    for (let length = this.#random.int(1, 4); length > 0; length--) {
      from = this.#tree.add(from, author);
      out.push(from);
    }
    return out;
  }

  /** Receives `block` (and its ancestors); whether anything was new. */
  #receiveBlock(node: SimNode, block: SimBlock): boolean {
    if (!node.view.receive(block)) return false;
    node.voter?.blocksImported(this.#now);
    this.#drain(node);
    return true;
  }

  /** Asks `peer` for block `hash` (with its ancestors). */
  #fetchBlock(node: SimNode, peer: SimNode, hash: string): void {
    this.#deliver(node, peer, (to) => {
      if (!to.view.has(hash)) return;
      this.#deliver(to, node, (back) => this.#receiveBlock(back, this.#tree.get(hash)));
    });
  }

  /** Block sync: every node pulls the best chain of a neighbour. */
  #syncBlocks(): void {
    for (const node of this.#nodes) {
      const neighbours = this.#neighbours(node);
      if (!node.up || !neighbours.length) continue;
      const peer = this.#random.pick(neighbours);
      this.#deliver(node, peer, (to) => {
        const best = to.view.best;
        this.#deliver(to, node, (back) => this.#receiveBlock(back, best));
      });
    }
  }

  // --- Byzantine voters ---

  /**
   * Sends `vote` to some peers and a conflicting one to the others: a vote
   * for a block on another fork when there is one, and the same split of
   * peers for every vote of a round, so that the two halves see different
   * rounds.
   */
  #equivocate(node: SimNode, round: number, vote: Vote): void {
    const known = [...node.view.known].map((hash) => this.#tree.get(hash));
    const conflicting = known.filter((b) =>
      !this.#tree.descends(b, vote.target) && !this.#tree.descends(vote.target, b)
    );
    const other = this.#random.pick(conflicting.length ? conflicting : known);
    const twin: Vote = { ...vote, target: { hash: other.hash, number: other.number } };
    const split = new Random(this.#s.seed + 7919 * round + node.index);
    const cut = split.next();
    const ids = [this.#messages++, this.#messages++];
    for (const peer of this.#neighbours(node)) {
      const first = new Random(this.#s.seed * 31 + peer.index + round).next() < cut;
      const message: Outgoing = { kind: "vote", setId: 0, round, vote: first ? vote : twin };
      const id = ids[first ? 0 : 1];
      this.#deliver(node, peer, (to) => this.#receive(to, node, message, id));
    }
  }

  /** Random votes for random blocks, conflicting ones, and claims of being ahead. */
  #makeThingsUp(node: SimNode): void {
    if (!node.up) return;
    const known = [...node.view.known];
    const round = node.heardRound + this.#random.int(0, 1);
    for (const stage of ["prevote", "precommit"] as Stage[]) {
      for (let i = this.#random.int(0, 2); i > 0; i--) {
        const block = this.#tree.get(this.#random.pick(known));
        const vote: Vote = {
          stage,
          target: { hash: block.hash, number: block.number },
          voter: node.id,
          signature: NO_SIGNATURE,
        };
        this.#equivocate(node, round, vote);
      }
    }
    if (this.#random.chance(0.2)) {
      const packet = { setId: 0, round: node.heardRound + 3, finalized: 0 };
      this.#gossip(node, { kind: "neighbour", packet });
    }
  }

  /** A catch-up with nothing behind it but the Byzantine voter's own votes. */
  #madeUpCatchUp(node: SimNode, setId: number, round: number): CatchUp | undefined {
    if (node.honest) return undefined;
    const block = this.#tree.get(this.#random.pick([...node.view.known]));
    const target = { hash: block.hash, number: block.number };
    const vote = (stage: Stage): Vote => ({
      stage,
      target,
      voter: node.id,
      signature: NO_SIGNATURE,
    });
    return {
      setId,
      round: round + 2,
      base: this.#tree.genesis,
      prevotes: [vote("prevote")],
      precommits: [vote("precommit")],
    };
  }

  // --- the network ---

  /** Delivers to `to` what `from` sends, if the network lets it through, after a delay. */
  #deliver(from: SimNode, to: SimNode, receive: (to: SimNode) => void): void {
    const s = this.#s;
    let delay: number;
    if (this.#now < s.gst) {
      if (this.#split(from.index, to.index) || this.#random.chance(s.loss)) return;
      delay = this.#random.int(1, s.maxDelayMs);
    } else {
      delay = this.#random.int(1, s.gossipMs);
    }
    this.#at(this.#now + delay, () => {
      if (!to.up) return;
      this.#delivered++;
      receive(to);
    });
  }

  #split(a: number, b: number): boolean {
    return this.#s.partitions.some((p) =>
      this.#now >= p.from && this.#now < p.until &&
      p.groups.findIndex((g) => g.includes(a)) !== p.groups.findIndex((g) => g.includes(b))
    );
  }

  // --- properties ---

  /** Records an honest voter's vote; a second, different one for its round and stage is a breach. */
  #noteSigned(round: number, vote: Vote): void {
    if (!this.#honest.has(vote.voter)) return;
    const key = `${vote.voter}/${round}/${vote.stage}`;
    const target = `${vote.target.hash}#${vote.target.number}`;
    const before = this.#signed.get(key);
    if (before === undefined) this.#signed.set(key, target);
    else if (before !== target) {
      this.#violations.push(
        `self-slashing: ${vote.voter} voted ${before} and ${target} in round ${round} (${vote.stage})`,
      );
    }
  }

  #finalized(node: SimNode, commit: Commit): void {
    const target = commit.target;
    if (target.number <= node.finalized.number) return;
    node.finalized = target;
    node.commit = commit;
    if (!node.honest) return;
    const top = this.#highestFinal;
    const consistent = target.number >= top.number
      ? this.#tree.descends(target, top)
      : this.#tree.descends(top, target);
    if (!consistent) {
      this.#violations.push(
        `safety: ${node.id} finalized ${target.hash}#${target.number}, off the chain of ${top.hash}#${top.number}`,
      );
    }
    if (target.number > top.number) this.#highestFinal = target;
    if (this.#now >= this.#s.gst && target.number > this.#gstHeight && node.liveAt === undefined) {
      node.liveAt = this.#now;
      node.roundAtLive = node.voter?.round;
    }
  }

  #markGst(): void {
    for (const node of this.#nodes) {
      if (!node.honest) continue;
      this.#gstHeight = Math.max(this.#gstHeight, node.view.best.number);
      node.roundAtGst = node.voter?.round ?? 0;
    }
  }

  #result(): SimulationResult {
    const honest = this.#nodes.filter((n) => n.honest);
    let roundsToFinality = 0;
    for (const node of honest) {
      if (node.liveAt === undefined) {
        this.#violations.push(
          `liveness: ${node.id} finalized #${node.finalized.number} by the end, nothing above #${this.#gstHeight} (the chain at gst)`,
        );
      } else {
        roundsToFinality = Math.max(
          roundsToFinality,
          (node.roundAtLive ?? 0) - (node.roundAtGst ?? 0),
        );
      }
    }
    return {
      seed: this.#s.seed,
      violations: this.#violations,
      rounds: Math.max(0, ...honest.map((n) => n.voter?.round ?? 0)),
      roundsToFinality,
      finalizedByAll: Math.min(...honest.map((n) => n.finalized.number)),
      delivered: this.#delivered,
      voters: this.#nodes.map((n) => n.voter?.report()),
    };
  }

  // --- the scheduler ---

  #at(at: number, run: () => void): void {
    const event = { at, seq: this.#seq++, run };
    const queue = this.#queue;
    queue.push(event);
    for (let i = queue.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (before(queue[parent], event)) break;
      queue[i] = queue[parent];
      queue[parent] = event;
      i = parent;
    }
  }

  #every(ms: number, run: () => void): void {
    const loop = () => {
      run();
      this.#at(this.#now + ms, loop);
    };
    this.#at(this.#now + ms, loop);
  }

  #pop(): Event {
    const queue = this.#queue;
    const top = queue[0];
    const last = queue.pop()!;
    if (queue.length) {
      queue[0] = last;
      for (let i = 0;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < queue.length && before(queue[l], queue[m])) m = l;
        if (r < queue.length && before(queue[r], queue[m])) m = r;
        if (m === i) break;
        [queue[i], queue[m]] = [queue[m], queue[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
