/**
 * The shared test harness: a fresh in-memory chain from the dev genesis,
 * calls applied by name, and assertions on storage and events — Substrate's
 * `new_test_ext()`, `assert_noop!` and `System::assert_last_event`.
 *
 * @example
 * ```ts
 * import { dev, TestExt } from "./mod.ts";
 * const ext = new TestExt();
 * const result = ext.apply("Balances", "transferKeepAlive", {
 *   dest: { tag: "Id", value: dev.bob.publicKey },
 *   value: 1_000n,
 * }, dev.alice);
 * if (!result.ok) throw new Error(result.error);
 * ```
 *
 * @module
 */
import { type Keypair, keypairFromUri } from "../crypto/mod.ts";
import type { Header } from "../block/header.ts";
import {
  encodeBare,
  type MetadataHashMode,
  type Signer,
  signExtrinsic,
} from "../extrinsic/extrinsic.ts";
import { type Era, eraBirth, IMMORTAL } from "../extrinsic/era.ts";
import {
  type ApplyOutcome,
  type BlockBuilder,
  Executive,
  type SignatureCheck,
} from "../executive/executive.ts";
import type { EventRecord, SignatureVerifier } from "../executive/runtime.ts";
import { DispatchError, ModuleError } from "../pallet/errors.ts";
import type { Origin } from "../pallet/origin.ts";
import type { Overlay } from "../storage/overlay.ts";
import { MemoryNodeStore, Trie } from "../trie/mod.ts";
import { verifyMulti } from "../crypto/mod.ts";
import { runtime } from "../mod.ts";
import { metadataHash } from "../metadata/mod.ts";
import { runtimeGenesis } from "../../chain-spec/presets.ts";
import { toHexRaw } from "../primitives/hex.ts";

const named = (uri: string) => keypairFromUri(uri);

/** The dev accounts and their stashes. */
export const dev = {
  alice: named("//Alice"),
  bob: named("//Bob"),
  charlie: named("//Charlie"),
  dave: named("//Dave"),
  eve: named("//Eve"),
  ferdie: named("//Ferdie"),
  aliceStash: named("//Alice//stash"),
  bobStash: named("//Bob//stash"),
  charlieStash: named("//Charlie//stash"),
  daveStash: named("//Dave//stash"),
  eveStash: named("//Eve//stash"),
  ferdieStash: named("//Ferdie//stash"),
};

/** Who a call comes from: a keypair (signed), the root, or none. */
export type Caller = Keypair | "root" | "none";

/** The outcome of a call: ok, or the error as `"Pallet.Error"` or a dispatch error kind. */
export type CallResult = { ok: true } | { ok: false; error: string };

/** Milliseconds of the first block's timestamp (any fixed value: tests are deterministic). */
export const GENESIS_TIME_MS = 1_700_000_000_000n;

/** A chain in memory, one block open at a time. */
export class TestExt {
  readonly executive: Executive;
  readonly store = new MemoryNodeStore();
  /** Header of the last finished block (genesis at first). */
  parent: Header;
  #builder!: BlockBuilder;
  #calls = 0;

  /**
   * A chain from the dev genesis, with per-pallet config overrides
   * (chain-spec JSON), verifying signatures natively unless told otherwise.
   */
  constructor(
    overrides: Record<string, unknown> = {},
    options: { verify?: SignatureVerifier } = {},
  ) {
    this.executive = new Executive(
      runtime,
      new Trie(this.store),
      options.verify ?? verifyMulti,
    );
    const genesis = this.executive.genesis({ ...runtimeGenesis(["Alice"]), ...overrides });
    this.store.insert(genesis.nodes);
    this.parent = genesis.header;
    this.#start();
  }

  #start(): void {
    this.#builder = this.executive.buildBlock(this.parent, []);
    this.#calls = 0;
    const now = GENESIS_TIME_MS + BigInt(this.#builder.number) * 6000n;
    this.#builder.applyExtrinsic(
      encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now } })),
    );
  }

  /** The state of the open block. */
  get state(): Overlay {
    return this.#builder.state;
  }

  /** The number of the open block. */
  get blockNumber(): number {
    return this.#builder.number;
  }

  /** Extrinsics applied to the open block so far (the timestamp inherent first). */
  get extrinsics(): readonly Uint8Array[] {
    return this.#builder.extrinsics;
  }

  /** The genesis hash (as signed transactions see it). */
  get genesisHash(): Uint8Array {
    return runtime.system.blockHash(this.state, 0)!;
  }

  /**
   * Dispatches a call directly (no signature, no fee) in a transaction, as
   * the executive does; events are recorded. Arguments go through SCALE
   * encoding first, so a wrongly typed argument fails loudly.
   */
  apply(pallet: string, call: string, args: Record<string, unknown>, caller: Caller): CallResult {
    const decoded = runtime.decodeCall(runtime.encodeCall({ pallet, call, args }));
    const index = this.#calls++;
    const ctx = this.executive.context(
      this.state,
      () => ({ tag: "ApplyExtrinsic", value: 1000 + index }),
    );
    const origin: Origin = caller === "root"
      ? { kind: "root" }
      : caller === "none"
      ? { kind: "none" }
      : { kind: "signed", who: caller.publicKey };
    try {
      this.state.transaction(() => decoded.spec.dispatch(ctx, origin, decoded.args));
      return { ok: true };
    } catch (e) {
      if (e instanceof ModuleError) return { ok: false, error: `${e.pallet}.${e.error}` };
      if (e instanceof DispatchError) return { ok: false, error: e.kind };
      throw e;
    }
  }

  /**
   * A real signed extrinsic for the open block (nonce from state unless
   * given), signed by an ed25519 keypair or any other {@link Signer}
   * (sr25519, ecdsa); with `mode: "Enabled"`, over the runtime's metadata
   * hash unless `metadataHash` names another.
   */
  signed(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: Signer,
    options: {
      nonce?: number;
      tip?: bigint;
      era?: Era;
      genesisHash?: Uint8Array;
      specVersion?: number;
      mode?: MetadataHashMode;
      metadataHash?: Uint8Array;
    } = {},
  ): Uint8Array {
    const era = options.era ?? IMMORTAL;
    const genesisHash = options.genesisHash ?? this.genesisHash;
    const eraBlockHash = era.kind === "immortal"
      ? genesisHash
      : runtime.system.blockHash(this.state, eraBirth(era, this.blockNumber)) ?? new Uint8Array(32);
    return signExtrinsic(
      runtime.encodeCall({ pallet, call, args }),
      signer,
      {
        era,
        nonce: options.nonce ??
          runtime.system.accountNonce(this.state, signer.account ?? signer.publicKey),
        tip: options.tip ?? 0n,
        mode: options.mode,
      },
      {
        specVersion: options.specVersion ?? runtime.version.specVersion,
        transactionVersion: runtime.version.transactionVersion,
        genesisHash,
        eraBlockHash,
        metadataHash: options.mode === "Enabled"
          ? options.metadataHash ?? metadataHash(runtime)
          : undefined,
      },
    );
  }

  /** The signature check an encoded extrinsic needs in the open block, if it is signed. */
  signatureCheck(bytes: Uint8Array): SignatureCheck | undefined {
    return this.#builder.signatureCheck(bytes);
  }

  /** Applies an encoded extrinsic through the executive (signature, nonce, fee, dispatch). */
  applyExtrinsic(bytes: Uint8Array): ApplyOutcome {
    return this.#builder.applyExtrinsic(bytes);
  }

  /** Finishes the open block (finalize hooks, roots) and opens the next, `n` times. */
  nextBlock(n = 1): void {
    for (let i = 0; i < n; i++) {
      const built = this.#builder.finish();
      this.store.insert(built.nodes);
      this.parent = built.header;
      this.#start();
    }
  }

  /** Events of the open block. */
  events(): EventRecord[] {
    return runtime.decodeEvents(runtime.system.events(this.state));
  }

  /** A snapshot of all storage: what `assertNoop` compares. */
  snapshot(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.state.entries(new Uint8Array())) out.set(toHexRaw(k), toHexRaw(v));
    return out;
  }
}

/**
 * The error of class `type` that `fn` throws; fails when `fn` throws nothing
 * or something else (rethrown as is).
 */
export function thrownBy<E extends Error>(
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
  fn: () => unknown,
): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}`);
}

/** Fails with `message` unless `cond`. */
function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Asserts that the call fails with `error` AND leaves every storage key as it was. */
export function assertNoop(
  ext: TestExt,
  pallet: string,
  call: string,
  args: Record<string, unknown>,
  caller: Caller,
  error: string,
): void {
  const before = ext.snapshot();
  const result = ext.apply(pallet, call, args, caller);
  check(!result.ok, `${pallet}.${call} succeeded; expected ${error}`);
  check(result.error === error, `${pallet}.${call} failed with ${result.error}; expected ${error}`);
  const after = ext.snapshot();
  check(before.size === after.size, `${pallet}.${call} changed the number of storage keys`);
  for (const [k, v] of before) {
    check(after.get(k) === v, `${pallet}.${call} changed storage key ${k}`);
  }
}

function matches(
  event: EventRecord,
  pallet: string,
  name: string,
  fields: Record<string, unknown>,
): boolean {
  if (event.pallet !== pallet || event.name !== name) return false;
  return Object.entries(fields).every(([k, v]) => same(event.data[k], v));
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) =>
      same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
  }
  return a === b;
}

function describe(events: EventRecord[]): string {
  return events.map((e) => `${e.pallet}.${e.name}`).join(", ") || "none";
}

/** Asserts that the last event of the open block is `pallet.name` with (at least) `fields`. */
export function assertLastEvent(
  ext: TestExt,
  pallet: string,
  name: string,
  fields: Record<string, unknown> = {},
): void {
  const events = ext.events();
  const last = events.at(-1);
  check(
    last !== undefined && matches(last, pallet, name, fields),
    `last event is not ${pallet}.${name} with the given fields; events: ${describe(events)}`,
  );
}

/** Asserts that some event of the open block is `pallet.name` with (at least) `fields`. */
export function assertEvent(
  ext: TestExt,
  pallet: string,
  name: string,
  fields: Record<string, unknown> = {},
): void {
  const events = ext.events();
  check(
    events.some((e) => matches(e, pallet, name, fields)),
    `no ${pallet}.${name} event with the given fields; events: ${describe(events)}`,
  );
}
