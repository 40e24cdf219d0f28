/**
 * A full node serving light clients (`client/light/protocol.ts`) on its `light`
 * protocol: warp proofs from set change to set change, finality proofs
 * (finalized headers and a justification), read proofs of state, block
 * bodies, and the transactions light clients submit (to its pool). Each
 * peer spends a budget of requests and response bytes, as block requests
 * do; a peer past it is refused and reported.
 *
 * The set changes are found once, by walking the finalized chain's headers
 * for the `ScheduledChange` they carry (from the start), and the walk goes
 * on from where it stopped as finality advances. A change's set id is counted back from the
 * finalized state's (the states of old blocks may be pruned; headers are not).
 *
 * @module
 */
import {
  bodyType,
  type CallProof,
  callProofType,
  decodeLightRequest,
  type FinalityProof,
  finalityProofType,
  LIGHT_PROTOCOL,
  type LightRequest,
  MAX_CALL_PROOF_KEYS,
  MAX_FINALITY_HEADERS,
  MAX_WARP_FRAGMENTS,
  readProofType,
  type SubmitAnswer,
  submitAnswerType,
  type WarpProof,
  warpProofType,
} from "../../client/light/protocol.ts";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { encode } from "../../runtime/codec/types.ts";
import { decodeJustification, scheduledChangeOf } from "../../runtime/consensus/grandpa.ts";
import { authoritySetId } from "../../pallets/authorship/mod.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Network } from "../network/mod.ts";
import { PoolError, type TransactionPool } from "../pool/mod.ts";
import { runtimeCallOver } from "../light/runtime.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { DEFAULT_SERVE_LIMITS, ServeBudgets, type ServeLimits } from "./_budget.ts";

export { LIGHT_PROTOCOL };

/**
 * What one light client may ask: more and smaller requests than a syncing
 * full node's (a proof for each read, a body for each block while a
 * transaction is watched), in the same bytes.
 */
export const LIGHT_SERVE_LIMITS: Readonly<ServeLimits> = {
  ...DEFAULT_SERVE_LIMITS,
  requestsPerSecond: 50,
  requestBurst: 100,
  concurrent: 8,
};

/** Reputation lost for a request past the budget. */
const OVER_BUDGET_PENALTY = 50;

/** A set change on the finalized chain: the block closing set `setId`. */
interface SetChange {
  setId: bigint;
  number: number;
  hash: Uint8Array;
}

/** Serves light clients from a full node's chain. */
export class LightServer {
  readonly #client: ChainClient;
  readonly #network: Network;
  readonly #pool?: Pick<TransactionPool, "submit">;
  readonly #budgets: ServeBudgets;
  /** The set changes found on the finalized chain so far, oldest first. */
  readonly #changes: { number: number; hash: Uint8Array }[] = [];
  /** The last finalized block walked for set changes. */
  #walkedTo = 0;
  #walking: Promise<void> = Promise.resolve();

  /** A server of `client`'s chain on `network`, taking submitted transactions into `pool` (refused without one). */
  constructor(init: {
    client: ChainClient;
    network: Network;
    pool?: Pick<TransactionPool, "submit">;
    limits?: Partial<ServeLimits>;
  }) {
    this.#client = init.client;
    this.#network = init.network;
    this.#pool = init.pool;
    this.#budgets = new ServeBudgets({ ...LIGHT_SERVE_LIMITS, ...init.limits });
  }

  /** Starts answering light requests. */
  async start(): Promise<void> {
    await this.#network.handle(LIGHT_PROTOCOL, (request, from) => this.#serve(request, from));
    // Walk the finalized chain for set changes now, not at the first warp a
    // light client asks for; a failure shows again to the request that needs it.
    this.#setChanges().catch(() => {});
  }

  /**
   * Answers one request's bytes (as the protocol handler does).
   *
   * @throws {Error} saying why it cannot be answered (the requester is told)
   */
  async answer(bytes: Uint8Array): Promise<Uint8Array> {
    const request = decodeLightRequest(bytes);
    switch (request.tag) {
      case "WarpProof":
        return encode(warpProofType, await this.warpProof(request.value.fromSetId));
      case "Finality":
        return encode(finalityProofType, await this.finalityProof(request.value.fromNumber));
      case "ReadProof":
        return encode(readProofType, await this.#readProof(request.value));
      case "CallProof":
        return encode(callProofType, await this.#callProof(request.value));
      case "Body": {
        const body = await this.#client.body(request.value.block);
        if (!body) throw new Error("no body kept for that block");
        return encode(bodyType, body);
      }
      case "Submit":
        return encode(submitAnswerType, this.#submit(request.value.extrinsic));
    }
  }

  /**
   * Runs a runtime call at a block over a reader that records the keys it
   * reads, and proves them (the first {@link MAX_CALL_PROOF_KEYS}). A call
   * that fails still proves what it read: the client fails the same way.
   */
  async #callProof(
    { block, method, input }: Extract<LightRequest, { tag: "CallProof" }>["value"],
  ): Promise<CallProof> {
    const header = await this.#client.header(block);
    if (!header) throw new Error("no such block");
    const state = this.#client.stateAt(header);
    const read = new Map<string, Uint8Array>();
    const recording = {
      get: (key: Uint8Array) => {
        if (read.size < MAX_CALL_PROOF_KEYS) read.set(toHexRaw(key), key);
        return state.get(key);
      },
      entries: (prefix: Uint8Array, startAfter?: Uint8Array) => state.entries(prefix, startAfter),
    };
    try {
      runtimeCallOver(recording, header, method, input);
    } catch {
      // The client runs it too, and sees why.
    }
    const keys = [...read.values()];
    return { keys, proof: this.#client.executive.trie.prove(header.stateRoot, keys) };
  }

  /** Submits a light client's transaction to the pool, which gossips it once ready. */
  #submit(extrinsic: Uint8Array): SubmitAnswer {
    if (!this.#pool) throw new Error("this node takes no transactions");
    try {
      return {
        tag: "Accepted",
        value: this.#pool.submit(extrinsic, this.#client.best.header).hash,
      };
    } catch (e) {
      if (!(e instanceof PoolError)) throw e;
      return { tag: "Refused", value: { code: e.code, message: e.message, data: e.data } };
    }
  }

  /** The set changes from set `fromSetId` on, each with its set's justification. */
  async warpProof(fromSetId: bigint): Promise<WarpProof> {
    const changes = await this.#setChanges();
    const fragments: WarpProof["fragments"] = [];
    const from = changes.findIndex((c) => c.setId >= fromSetId);
    if (from >= 0) {
      for (const change of changes.slice(from, from + MAX_WARP_FRAGMENTS)) {
        const header = await this.#client.header(change.hash);
        const justification = await this.#client.justification(change.hash);
        // Every set change is finalized with its justification kept; one without ends the proof.
        if (!header || !justification) break;
        fragments.push({ header, justification: decodeJustification(justification) });
      }
    }
    const last = fragments.at(-1);
    const isFinished = from < 0 ||
      (last !== undefined && last.header.number === changes.at(-1)!.number);
    return { fragments, isFinished };
  }

  /**
   * The finalized headers above `fromNumber` up to the newest with a kept
   * justification, and that justification; `undefined` when no finalized
   * block above `fromNumber` has one yet.
   *
   * @throws {Error} when it is more than {@link MAX_FINALITY_HEADERS} above (warp first)
   */
  async finalityProof(fromNumber: number): Promise<FinalityProof | undefined> {
    const finalized = this.#client.finalized.header.number;
    for (let number = finalized; number > fromNumber; number--) {
      const hash = await this.#client.hashAt(number);
      const justification = hash && await this.#client.justification(hash);
      if (!hash || !justification) continue;
      if (number - fromNumber > MAX_FINALITY_HEADERS) {
        throw new Error(
          `#${fromNumber} is ${number - fromNumber} blocks behind the finalized #${number}: ` +
            `warp first (a finality proof holds ${MAX_FINALITY_HEADERS} headers at most)`,
        );
      }
      return {
        headers: await this.#headers(fromNumber + 1, number),
        justification: decodeJustification(justification),
      };
    }
    return undefined;
  }

  async #readProof(
    { block, keys }: Extract<LightRequest, { tag: "ReadProof" }>["value"],
  ): Promise<Uint8Array[]> {
    const header = await this.#client.header(block);
    if (!header) throw new Error("no such block");
    // Its state must be kept (--state-pruning): stateAt says which it is not.
    this.#client.stateAt(header);
    return this.#client.executive.trie.prove(header.stateRoot, keys);
  }

  async #serve(request: Uint8Array, from: string): Promise<Uint8Array> {
    const refused = this.#budgets.admit(from);
    if (refused) {
      this.#network.report(from, OVER_BUDGET_PENALTY, "light requests over budget");
      throw new Error(`Request refused: ${refused}`);
    }
    let bytes = 0;
    try {
      const response = await this.answer(request);
      bytes = response.length;
      return response;
    } finally {
      this.#budgets.done(from, bytes);
    }
  }

  /** The finalized headers from `from` to `to`, both included. */
  async #headers(from: number, to: number): Promise<Header[]> {
    const headers: Header[] = [];
    for (let number = from; number <= to; number++) {
      const hash = await this.#client.hashAt(number);
      const header = hash && await this.#client.header(hash);
      if (!header) throw new Error(`finalized block #${number} is not kept`);
      headers.push(header);
    }
    return headers;
  }

  /** Every set change on the finalized chain, with the set each closes. */
  async #setChanges(): Promise<SetChange[]> {
    const finalized = this.#client.finalized;
    // One walk at a time: two requests at once must not both record a change.
    const walk = this.#walking.then(() => this.#walk(finalized.header.number));
    this.#walking = walk.catch(() => {});
    await walk;
    // The finalized state's set came after every change walked past.
    const current = authoritySetId(this.#client.stateAt(finalized.header));
    const changes = this.#changes.filter((c) => c.number <= finalized.header.number);
    const first = current - BigInt(changes.length);
    return changes.map((change, i) => ({ ...change, setId: first + BigInt(i) }));
  }

  /** Records the set changes of the finalized blocks up to `to`. */
  async #walk(to: number): Promise<void> {
    for (let number = this.#walkedTo + 1; number <= to; number++) {
      const hash = await this.#client.hashAt(number);
      const header = hash && await this.#client.header(hash);
      if (!header) throw new Error(`finalized block #${number} is not kept`);
      if (scheduledChangeOf(header.digest)) this.#changes.push({ number, hash: blockHash(header) });
      this.#walkedTo = number;
    }
  }
}
