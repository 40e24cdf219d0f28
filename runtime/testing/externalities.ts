/**
 * A chain in memory for tests, over any runtime: Substrate's
 * `TestExternalities`. It builds the genesis of a runtime from per-pallet
 * configs, keeps one block open, dispatches calls into it directly or as
 * signed extrinsics, and reads its events and storage.
 *
 * The runtime is whatever the test composes: THE runtime on the dev chain
 * (`TestExt`), or a mock runtime of one pallet and what it needs
 * (`mockRuntime`), as FRAME's `mock.rs` builds one.
 *
 * @example
 * ```ts
 * import { TestExternalities } from "./externalities.ts";
 * import { mockRuntime } from "./mock_runtime.ts";
 * import { dev } from "./accounts.ts";
 * import { system, systemApi } from "../../pallets/system/mod.ts";
 * const runtime = mockRuntime({ pallets: [system], system: systemApi });
 * const ext = new TestExternalities(runtime);
 * const result = ext.apply(system.calls.remark({ remark: new Uint8Array([1]) }), dev.alice);
 * if (!result.ok) throw new Error(result.error);
 * ```
 *
 * @module
 */
import type { Header } from "../block/header.ts";
import type { CallRef } from "../codec/call.ts";
import { verifyMulti } from "../crypto/mod.ts";
import { type Era, eraBirth, IMMORTAL } from "../extrinsic/era.ts";
import {
  encodeBare,
  type MetadataHashMode,
  type Signer,
  signExtrinsic,
} from "../extrinsic/extrinsic.ts";
import {
  type ApplyOutcome,
  type BlockBuilder,
  Executive,
  type SignatureCheck,
} from "../executive/executive.ts";
import type { EventRecord, Runtime, SignatureVerifier } from "../executive/runtime.ts";
import { metadataHash } from "../metadata/mod.ts";
import { DispatchError, ModuleError } from "../pallet/errors.ts";
import type { Origin } from "../pallet/origin.ts";
import { toHexRaw } from "../primitives/hex.ts";
import type { Overlay } from "../storage/overlay.ts";
import { MemoryNodeStore, Trie } from "../trie/mod.ts";
import type { Keypair } from "../crypto/mod.ts";

/** Who a call comes from: a keypair (signed), the root, or none. */
export type Caller = Keypair | "root" | "none";

/** The outcome of a call: ok, or the error as `"Pallet.Error"` or a dispatch error kind. */
export type CallResult = { ok: true } | { ok: false; error: string };

/**
 * A call as the harness takes it: a typed call (`pallet.calls.x(args)`),
 * or by names, as input from outside comes (`"Pallet", "call", args`).
 */
export type CallInput = [call: CallRef] | [
  pallet: string,
  call: string,
  args: Record<string, unknown>,
];

/** The call a {@link CallInput} names. */
export function callOf(input: CallInput): CallRef {
  return input.length === 1 ? input[0] : { pallet: input[0], call: input[1], args: input[2] };
}

/** How a signed extrinsic is made; every field has a default from the open block. */
export interface SignOptions {
  /** The signer's nonce in state unless given. */
  nonce?: number;
  tip?: bigint;
  /** Immortal unless given. */
  era?: Era;
  genesisHash?: Uint8Array;
  specVersion?: number;
  mode?: MetadataHashMode;
  /** With `mode: "Enabled"`, the runtime's metadata hash unless given. */
  metadataHash?: Uint8Array;
}

/** How a test chain runs. */
export interface TestExternalitiesOptions {
  /** Checks signatures; every kind, ed25519 natively, unless given. */
  verify?: SignatureVerifier;
  /** The inherents each block starts with (a timestamp), none unless given. */
  inherents?: (blockNumber: number) => CallRef[];
}

/** A chain in memory over `runtime`, one block open at a time. */
export class TestExternalities {
  /** The executive that builds the chain's blocks. */
  readonly executive: Executive;
  /** The chain's trie nodes, every block's. */
  readonly store = new MemoryNodeStore();
  /** Header of the last finished block (genesis at first). */
  parent: Header;
  readonly #inherents: (blockNumber: number) => CallRef[];
  #builder!: BlockBuilder;
  #calls = 0;

  /**
   * A chain of `runtime` from per-pallet genesis configs (chain-spec JSON,
   * keyed by lower-camel pallet name; a pallet left out gets its default).
   *
   * @throws {TypeError} naming a genesis config field that is wrong
   */
  constructor(
    /** The runtime the chain runs. */
    readonly runtime: Runtime,
    genesis: Record<string, unknown> = {},
    options: TestExternalitiesOptions = {},
  ) {
    this.executive = new Executive(runtime, new Trie(this.store), options.verify ?? verifyMulti);
    this.#inherents = options.inherents ?? (() => []);
    const sealed = this.executive.genesis(genesis);
    this.store.insert(sealed.nodes);
    this.parent = sealed.header;
    this.#start();
  }

  #start(): void {
    this.#builder = this.executive.buildBlock(this.parent, []);
    this.#calls = 0;
    for (const inherent of this.#inherents(this.#builder.number)) {
      this.#builder.applyExtrinsic(encodeBare(this.runtime.encodeCall(inherent)));
    }
  }

  /** The state of the open block. */
  get state(): Overlay {
    return this.#builder.state;
  }

  /** The number of the open block. */
  get blockNumber(): number {
    return this.#builder.number;
  }

  /** Extrinsics applied to the open block so far (its inherents first). */
  get extrinsics(): readonly Uint8Array[] {
    return this.#builder.extrinsics;
  }

  /** The genesis hash (as signed transactions see it). */
  get genesisHash(): Uint8Array {
    return this.runtime.system.blockHash(this.state, 0)!;
  }

  /**
   * Dispatches a call directly (no signature, no fee) in a transaction, as
   * the executive does; events are recorded. Arguments go through SCALE
   * encoding first, so a wrongly typed argument fails loudly.
   */
  apply(call: CallRef, caller: Caller): CallResult;
  /** Dispatches a call given by names (input from outside); see the typed form. */
  apply(pallet: string, call: string, args: Record<string, unknown>, caller: Caller): CallResult;
  apply(...input: [...CallInput, Caller]): CallResult {
    const caller = input.at(-1) as Caller;
    const ref = callOf(input.slice(0, -1) as CallInput);
    const decoded = this.runtime.decodeCall(this.runtime.encodeCall(ref));
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
  signed(call: CallRef, signer: Signer, options?: SignOptions): Uint8Array;
  /** A signed extrinsic of a call given by names; see the typed form. */
  signed(
    pallet: string,
    call: string,
    args: Record<string, unknown>,
    signer: Signer,
    options?: SignOptions,
  ): Uint8Array;
  signed(...input: unknown[]): Uint8Array {
    const [ref, signer, options = {}] = typeof input[0] === "string"
      ? [callOf(input.slice(0, 3) as CallInput), input[3], input[4]] as const
      : [input[0] as CallRef, input[1], input[2]] as const;
    return this.#sign(ref, signer as Signer, options as SignOptions);
  }

  #sign(ref: CallRef, signer: Signer, options: SignOptions): Uint8Array {
    const { runtime } = this;
    const era = options.era ?? IMMORTAL;
    const genesisHash = options.genesisHash ?? this.genesisHash;
    const eraBlockHash = era.kind === "immortal"
      ? genesisHash
      : runtime.system.blockHash(this.state, eraBirth(era, this.blockNumber)) ?? new Uint8Array(32);
    return signExtrinsic(
      runtime.encodeCall(ref),
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
    return this.runtime.decodeEvents(this.runtime.system.events(this.state));
  }

  /** A snapshot of all storage: what `assertNoop` compares. */
  snapshot(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.state.entries(new Uint8Array())) out.set(toHexRaw(k), toHexRaw(v));
    return out;
  }
}
