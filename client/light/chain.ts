/**
 * The chain as a light client knows it: the finalized blocks it followed
 * (the newest {@link LightChainInit.keepBlocks} of their headers), their
 * storage read through proofs and their bodies checked against their
 * headers. It keeps finality moving by asking its peers every
 * {@link LightChainInit.pollMs} once started; unstarted, it follows the
 * syncs its client makes for someone else.
 *
 * Code that reads state runs over a {@link ProvenState} with
 * {@link LightChain.run}: a key no proof covered fails the run, a proof for
 * the keys it missed is fetched, and the run starts again (the runtime is
 * synchronous, so it cannot wait for a proof in the middle of a call).
 *
 * @module
 */
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import type { FinalityAdvance, LightClient } from "./client.ts";
import { MissingFromProof, ProvenState } from "./state.ts";

/** Options of a {@link LightChain}. */
export interface LightChainInit {
  /** How often to ask for newer finality, in milliseconds (default 1,000). */
  pollMs?: number;
  /** How many of the newest finalized headers are kept (default 1,024), pinned ones aside. */
  keepBlocks?: number;
  /** Hears a failed attempt to move finality (no peer answered with one that holds). */
  onSyncError?: (error: Error) => void;
}

/** Blocks whose proven state is kept (a run at an older one starts a new state). */
const STATES_KEPT = 4;
/** Rounds of fetching missed keys before a run is given up: a call reading this many new keys in turn is not a light client's. */
const MAX_PROOF_ROUNDS = 32;

/** A finalized block the chain keeps: its header and hash. */
export interface KeptBlock {
  hash: Uint8Array;
  /** The hash as raw hex (no `0x`). */
  hashHex: string;
  header: Header;
}

/** A run of code over proven state needed what no proof can give. */
export class UnprovableRead extends Error {
  override name = "UnprovableRead";
}

/** Finalized blocks, their proven state and bodies, from peers that are checked. */
export class LightChain {
  readonly client: LightClient;
  readonly #pollMs: number;
  readonly #keepBlocks: number;
  readonly #onSyncError: (error: Error) => void;
  /** Kept blocks by raw hex hash, oldest first (a Map keeps insertion order). */
  readonly #blocks = new Map<string, KeptBlock>();
  readonly #hashByNumber = new Map<number, string>();
  /** Pins by raw hex hash: a pinned block is kept past the bound. */
  readonly #pins = new Map<string, number>();
  readonly #states = new Map<string, ProvenState>();
  readonly #listeners = new Set<(advance: FinalityAdvance) => void>();
  #newest!: KeptBlock;
  #timer?: ReturnType<typeof setTimeout>;
  #stopped = false;
  #syncing?: Promise<void>;

  /** A chain over `client`, which starts at its checkpoint. */
  constructor(client: LightClient, init: LightChainInit = {}) {
    this.client = client;
    this.#pollMs = init.pollMs ?? 1_000;
    this.#keepBlocks = init.keepBlocks ?? 1_024;
    this.#onSyncError = init.onSyncError ?? (() => {});
    this.#keep(client.finality.finalized);
    client.onFinalized((advance) => {
      if (advance.gap) this.#keep(client.finality.finalized);
      else for (const header of advance.headers) this.#keep(header);
      for (const listener of this.#listeners) listener(advance);
    });
  }

  /** The newest block proven final. */
  get finalized(): Header {
    return this.client.finality.finalized;
  }

  /** The newest finalized block, kept. */
  get finalizedBlock(): KeptBlock {
    return this.#newest;
  }

  /**
   * Brings finality up to date once (waiting for a sync already running),
   * then keeps it moving until {@link stop}.
   *
   * @throws {NoHonestAnswer} when no peer could bring it up to date
   */
  async start(): Promise<Header> {
    await this.sync();
    this.#schedule();
    return this.finalized;
  }

  /** Stops following finality. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /**
   * Asks the peers for newer finality now (one sync at a time).
   *
   * @throws {NoHonestAnswer} when no peer answered with one that holds
   */
  sync(): Promise<void> {
    this.#syncing ??= this.client.sync().then(() => {}).finally(() => this.#syncing = undefined);
    return this.#syncing;
  }

  /** Hears each advance of finality. @returns the function that stops it */
  onFinalized(listener: (advance: FinalityAdvance) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A kept finalized block by hash. */
  block(hash: Uint8Array): KeptBlock | undefined {
    return this.#blocks.get(toHexRaw(hash));
  }

  /** A kept finalized header by hash. */
  header(hash: Uint8Array): Header | undefined {
    return this.block(hash)?.header;
  }

  /** The kept finalized block at `number`. */
  blockAt(number: number): KeptBlock | undefined {
    const hex = this.#hashByNumber.get(number);
    return hex === undefined ? undefined : this.#blocks.get(hex);
  }

  /** Keeps block `hash` (if kept now) until as many {@link unpin}s. */
  pin(hash: Uint8Array): void {
    const hex = toHexRaw(hash);
    if (this.#blocks.has(hex)) this.#pins.set(hex, (this.#pins.get(hex) ?? 0) + 1);
  }

  /** Undoes one {@link pin}. */
  unpin(hash: Uint8Array): void {
    const hex = toHexRaw(hash);
    const pins = this.#pins.get(hex);
    if (pins === undefined) return;
    if (pins > 1) this.#pins.set(hex, pins - 1);
    else this.#pins.delete(hex);
  }

  /**
   * Runs `read` over the proven state of `header` (a kept finalized block),
   * fetching proofs for what it misses and running it again until nothing
   * is missed.
   *
   * `firstProof`, if given, is fetched at the first miss instead of a
   * proof of the missed keys (a call proof: all the code will read, at once).
   *
   * @throws {UnprovableRead} when `read` lists a prefix (that needs a range
   * proof) or keeps missing keys past {@link MAX_PROOF_ROUNDS} rounds
   * @throws {NoHonestAnswer} when no peer proves a missed key
   */
  async run<T>(
    header: Header,
    read: (state: StateReader) => T,
    firstProof?: (state: ProvenState) => Promise<void>,
  ): Promise<T> {
    const state = this.#stateAt(header);
    let first = firstProof;
    for (let round = 0; round < MAX_PROOF_ROUNDS; round++) {
      let result: { value: T } | undefined;
      let failure: unknown;
      try {
        result = { value: read(state) };
      } catch (e) {
        failure = e;
      }
      let misses: Uint8Array[];
      try {
        misses = state.takeMisses();
      } catch (e) {
        if (e instanceof MissingFromProof) throw new UnprovableRead(e.message);
        throw e;
      }
      // A miss the code swallowed still counts: its result was made without the value.
      if (misses.length === 0) {
        if (result) return result.value;
        throw failure;
      }
      if (first) {
        // One proof of everything the code reads, once; what it leaves out comes key by key.
        await first(state).catch(() => {});
        first = undefined;
        continue;
      }
      await this.client.prove(state, misses);
    }
    throw new UnprovableRead(
      `The call kept reading keys no proof covered past ${MAX_PROOF_ROUNDS} rounds of proofs`,
    );
  }

  /**
   * Runs runtime API function `fn` on `input` at `header` with `call` (the
   * runtime, run over the proven state): the first time it misses a key, a
   * call proof of everything the call reads is fetched in one go.
   *
   * @throws as {@link run}, and whatever `call` throws
   */
  async call(
    header: Header,
    fn: string,
    input: Uint8Array,
    call: (state: StateReader) => Uint8Array,
  ): Promise<Uint8Array> {
    return await this.run(header, call, (state) => this.client.proveCall(state, fn, input));
  }

  /**
   * The values at `keys` in the state of `header` (`undefined`: proven absent).
   *
   * @throws {NoHonestAnswer} when no peer proves them
   */
  async storage(header: Header, keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return await this.run(header, (state) => keys.map((key) => state.get(key)));
  }

  /**
   * The extrinsics of kept finalized block `hash`, checked against its header.
   *
   * @throws {RangeError} when the block is not kept
   * @throws {NoHonestAnswer} when no peer serves a body that holds
   */
  async body(hash: Uint8Array): Promise<Uint8Array[]> {
    const header = this.header(hash);
    if (!header) throw new RangeError(`Block 0x${toHexRaw(hash)} is not a kept finalized block`);
    return await this.client.body(header, hash);
  }

  /** The proven state of `header`, kept for the newest few blocks asked about. */
  #stateAt(header: Header): ProvenState {
    const hex = toHexRaw(blockHash(header));
    let state = this.#states.get(hex);
    if (!state) {
      this.#states.set(hex, state = new ProvenState(header));
      if (this.#states.size > STATES_KEPT) this.#states.delete(this.#states.keys().next().value!);
    }
    return state;
  }

  /** Keeps `header`, forgetting the oldest unpinned past the bound. */
  #keep(header: Header): void {
    const hash = blockHash(header);
    const hashHex = toHexRaw(hash);
    const kept = this.#blocks.get(hashHex) ?? { hash, hashHex, header };
    if (header.number >= (this.#newest?.header.number ?? -1)) this.#newest = kept;
    if (this.#blocks.has(hashHex)) return;
    this.#blocks.set(hashHex, kept);
    this.#hashByNumber.set(header.number, hashHex);
    if (this.#blocks.size <= this.#keepBlocks + this.#pins.size) return;
    for (const [hex, old] of this.#blocks) {
      if (this.#pins.has(hex)) continue;
      this.#blocks.delete(hex);
      if (this.#hashByNumber.get(old.header.number) === hex) {
        this.#hashByNumber.delete(old.header.number);
      }
      break;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.sync().catch((e) => this.#onSyncError(e as Error)).finally(() => this.#schedule());
    }, this.#pollMs);
  }
}
