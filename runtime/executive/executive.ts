/**
 * The executive: building blocks, executing imported blocks, and validating
 * transactions for a pool, over the state trie.
 *
 * Everything here is a pure function of its inputs: the parent's state root,
 * the block (or extrinsic) bytes, and the runtime. Time enters only through
 * the timestamp inherent; the author through the pre-runtime digest.
 *
 * @module
 */
import type { Block, DigestItem, Header } from "../block/header.ts";
import { blockHash } from "../block/header.ts";
import { fromJson } from "../codec/json.ts";
import { decodeExtrinsic, type Extrinsic, signingPayload } from "../extrinsic/extrinsic.ts";
import { eraBirth, eraDeath } from "../extrinsic/era.ts";
import type { PalletEvent } from "../pallet/events.ts";
import type { DispatchContext, Weight } from "../pallet/pallet.ts";
import { equalBytes } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { EMPTY_STATE, Overlay, type StateReader } from "../storage/overlay.ts";
import { EMPTY_TRIE_ROOT, orderedTrieRoot, type Trie } from "../trie/mod.ts";
import type { DecodedCall, EventRecord, Runtime, SignatureVerifier } from "./runtime.ts";
import {
  type DispatchErrorValue,
  dispatchInfo,
  invalid,
  toDispatchError,
  TransactionValidityError,
} from "./validity.ts";

/** Codes of block execution errors, with the payload each carries. */
export type BlockErrorCode =
  | "BLOCK_ERROR_PARENT_MISMATCH"
  | "BLOCK_ERROR_NUMBER_MISMATCH"
  | "BLOCK_ERROR_INVALID_EXTRINSIC"
  | "BLOCK_ERROR_INHERENT_POSITION"
  | "BLOCK_ERROR_FINALIZE_FAILED"
  | "BLOCK_ERROR_INITIALIZE_FAILED"
  | "BLOCK_ERROR_EXTRINSICS_ROOT_MISMATCH"
  | "BLOCK_ERROR_STATE_ROOT_MISMATCH";

/** A block that does not execute to the header it claims. */
export class BlockError extends Error {
  override name = "BlockError";
  constructor(
    readonly code: BlockErrorCode,
    readonly payload: Record<string, unknown>,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** How an included extrinsic's dispatch went. */
export interface ApplyOutcome {
  ok: boolean;
  error?: DispatchErrorValue;
  weight: Weight;
  fee: bigint;
}

/** A built or executed block with what the caller must persist. */
export interface SealedState {
  header: Header;
  hash: Uint8Array;
  extrinsics: Uint8Array[];
  /** New trie nodes to persist (hex hash → encoded node). */
  nodes: Map<string, Uint8Array>;
  events: EventRecord[];
}

/** What a pool needs to know of a valid transaction (Substrate's `ValidTransaction`). */
export interface ValidTransaction {
  priority: bigint;
  /** Tags that must be provided by other transactions first. */
  requires: Uint8Array[];
  /** Tags this transaction provides. */
  provides: Uint8Array[];
  /** Blocks it stays valid for. */
  longevity: bigint;
  propagate: boolean;
}

/** The fee estimate `payment_queryInfo` returns. */
export interface FeeInfo {
  weight: Weight;
  class: "normal" | "operational" | "mandatory";
  partialFee: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

/** Drives a runtime over a state trie. */
export class Executive {
  constructor(
    readonly runtime: Runtime,
    readonly trie: Trie,
    readonly verify: SignatureVerifier,
  ) {}

  /** Read access to the state at `root`. */
  stateAt(root: Uint8Array): StateReader {
    const trie = this.trie;
    return {
      get: (key) => trie.get(root, key),
      entries: (prefix, startAfter) => trie.entries(root, prefix, startAfter),
    };
  }

  /**
   * Builds genesis state from per-pallet configs keyed by lower-camel pallet
   * name (`balances`, `qosRewards`); a pallet left out gets its default.
   *
   * @throws {TypeError} naming the config field that is wrong
   */
  genesis(configs: Record<string, unknown>): SealedState {
    const state = new Overlay(EMPTY_STATE);
    const known = new Set(this.runtime.pallets.map((p) => lowerCamel(p.pallet.name)));
    for (const key of Object.keys(configs)) {
      if (!known.has(key)) throw new TypeError(`genesis.runtime.${key}: unknown pallet`);
    }
    const ctx = this.context(state, () => ({ tag: "Initialization" }));
    for (const { pallet } of this.runtime.pallets) {
      if (!pallet.genesis) continue;
      const key = lowerCamel(pallet.name);
      const config = key in configs
        ? fromJson(pallet.genesis.type.desc, configs[key], `genesis.runtime.${key}`)
        : pallet.genesis.default;
      pallet.genesis.build(ctx, config);
    }
    const { root, nodes } = this.trie.commit(EMPTY_TRIE_ROOT, state.changes());
    const header: Header = {
      parentHash: new Uint8Array(32),
      number: 0,
      stateRoot: root,
      extrinsicsRoot: orderedTrieRoot([]),
      digest: [],
    };
    return { header, hash: blockHash(header), extrinsics: [], nodes, events: [] };
  }

  /** Starts a block on top of `parent`, with a digest that carries no seal. */
  buildBlock(parent: Header, digest: DigestItem[]): BlockBuilder {
    return new BlockBuilder(this, parent, digest);
  }

  /**
   * Executes an imported block on top of `parent` and checks every root.
   *
   * @throws {BlockError} when the block is not valid on `parent`
   */
  executeBlock(parent: Header, block: Block): SealedState {
    const { header } = block;
    const parentHash = blockHash(parent);
    if (!equalBytes(header.parentHash, parentHash)) {
      throw new BlockError("BLOCK_ERROR_PARENT_MISMATCH", {
        expected: toHex(parentHash),
        got: toHex(header.parentHash),
      }, "the block is not a child of the given parent");
    }
    if (header.number !== parent.number + 1) {
      throw new BlockError("BLOCK_ERROR_NUMBER_MISMATCH", {
        expected: parent.number + 1,
        got: header.number,
      }, `block number ${header.number} does not follow ${parent.number}`);
    }
    const builder = this.buildBlock(parent, header.digest.filter((d) => d.tag !== "Seal"));
    block.extrinsics.forEach((ext, index) => {
      try {
        builder.applyExtrinsic(ext);
      } catch (e) {
        if (e instanceof BlockError) throw e;
        if (!(e instanceof TransactionValidityError)) throw e;
        throw new BlockError("BLOCK_ERROR_INVALID_EXTRINSIC", {
          index,
          reason: e.reason,
        }, `extrinsic ${index} is invalid: ${e.message}`);
      }
    });
    const built = builder.finish();
    if (!equalBytes(built.header.extrinsicsRoot, header.extrinsicsRoot)) {
      throw new BlockError("BLOCK_ERROR_EXTRINSICS_ROOT_MISMATCH", {
        expected: toHex(built.header.extrinsicsRoot),
        got: toHex(header.extrinsicsRoot),
      }, "the extrinsics root does not match the body");
    }
    if (!equalBytes(built.header.stateRoot, header.stateRoot)) {
      throw new BlockError("BLOCK_ERROR_STATE_ROOT_MISMATCH", {
        expected: toHex(built.header.stateRoot),
        got: toHex(header.stateRoot),
      }, "the state root does not match the executed state");
    }
    return { ...built, header, hash: blockHash(header) };
  }

  /**
   * Checks a transaction for a pool against the state of `best` (as if it
   * went into the next block), without keeping any change.
   *
   * @throws {TransactionValidityError}
   */
  validateTransaction(best: Header, bytes: Uint8Array): ValidTransaction {
    const state = new Overlay(this.stateAt(best.stateRoot));
    const system = this.runtime.system;
    system.initialize(state, { parentHash: blockHash(best), number: best.number + 1, digest: [] });
    const ext = decodeOrInvalid(bytes);
    if (ext.kind === "bare") {
      throw new TransactionValidityError(
        "Unknown",
        "NoUnsignedValidator",
        "unsigned extrinsics are inherents, only the block author puts them in",
      );
    }
    const call = this.runtime.decodeCall(ext.call);
    const weight = weightOf(call);
    const ctx = this.context(state, () => ({ tag: "Initialization" }));
    const current = best.number + 1;
    this.checkSignature(state, ext, current);
    const nonce = system.accountNonce(state, ext.signer);
    if (ext.extra.nonce < nonce) {
      throw invalid("Stale", `nonce ${ext.extra.nonce} was already used (next is ${nonce})`);
    }
    const limit = this.runtime.limits;
    if (weight > maxWeightOf(limit, call) || bytes.length > limit.maxLength) {
      throw invalid("ExhaustsResources", "the transaction would not fit in an empty block");
    }
    this.chargeFee(ctx, ext, bytes.length, weight, call);
    const tag = (n: number) => new Uint8Array([...ext.signer, ...u32le(n)]);
    return {
      priority: ext.extra.tip > U64_MAX ? U64_MAX : ext.extra.tip,
      requires: ext.extra.nonce > nonce ? [tag(ext.extra.nonce - 1)] : [],
      provides: [tag(ext.extra.nonce)],
      longevity: ext.extra.era.kind === "immortal"
        ? U64_MAX
        : BigInt(eraDeath(ext.extra.era, current) - current),
      propagate: true,
    };
  }

  /** The weight, class and fee an extrinsic would pay at the state of `best`. */
  queryInfo(best: Header, bytes: Uint8Array): FeeInfo {
    const ext = decodeOrInvalid(bytes);
    const call = this.runtime.decodeCall(ext.call);
    const weight = weightOf(call);
    const cls = call.spec.class ?? "normal";
    const pays = ext.kind === "signed" && call.spec.paysFee !== false;
    const tip = ext.kind === "signed" ? ext.extra.tip : 0n;
    const fee = pays
      ? this.runtime.payment.computeFee(
        this.stateAt(best.stateRoot),
        bytes.length,
        weight,
        cls,
        tip,
      ) - tip
      : 0n;
    return { weight, class: cls, partialFee: fee };
  }

  /**
   * CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis and
   * CheckMortality, by verifying the signature over the payload they define.
   *
   * @throws {TransactionValidityError} BadSigner, AncientBirthBlock or BadProof
   */
  checkSignature(
    state: StateReader,
    ext: Extract<Extrinsic, { kind: "signed" }>,
    current: number,
    blockHashOf: (n: number) => Uint8Array | undefined = (n) =>
      this.runtime.system.blockHash(state, n),
  ): void {
    if (ext.signer.every((b) => b === 0)) {
      throw invalid("BadSigner", "the sender is the zero account");
    }
    const { era } = ext.extra;
    const genesisHash = blockHashOf(0);
    if (!genesisHash) throw invalid("AncientBirthBlock", "genesis hash unknown");
    let eraBlockHash = genesisHash;
    if (era.kind === "mortal") {
      const birth = eraBirth(era, current);
      const hash = blockHashOf(birth);
      if (!hash || current >= eraDeath(era, current)) {
        throw invalid(
          "AncientBirthBlock",
          `mortal era born at block ${birth} is not valid at ${current}`,
        );
      }
      eraBlockHash = hash;
    }
    const payload = signingPayload(ext.call, ext.extra, {
      specVersion: this.runtime.version.specVersion,
      transactionVersion: this.runtime.version.transactionVersion,
      genesisHash,
      eraBlockHash,
    });
    if (!this.verify(ext.signature, payload, ext.signer)) {
      throw invalid(
        "BadProof",
        "bad signature (or signed for another chain, spec version, or birth block)",
      );
    }
  }

  /** ChargeTransactionPayment: computes the fee and withdraws it from the signer. */
  chargeFee(
    ctx: DispatchContext,
    ext: Extract<Extrinsic, { kind: "signed" }>,
    length: number,
    weight: Weight,
    call: DecodedCall,
  ): bigint {
    if (call.spec.paysFee === false) return 0n;
    const payment = this.runtime.payment;
    const fee = payment.computeFee(
      ctx.state,
      length,
      weight,
      call.spec.class ?? "normal",
      ext.extra.tip,
    );
    try {
      payment.withdrawFee(ctx, ext.signer, fee);
    } catch {
      throw invalid("Payment", `cannot pay the fee of ${fee} and stay alive`);
    }
    return fee;
  }

  /** A dispatch context whose events carry the phase `phase()` gives. */
  context(state: Overlay, phase: () => EventRecord["phase"]): DispatchContext {
    const runtime = this.runtime;
    return {
      state,
      deposit: (event: PalletEvent) =>
        runtime.system.depositEventRecord(state, runtime.encodeEventRecord(event, phase())),
    };
  }
}

/** Applies extrinsics one by one on top of a parent, then seals the roots. */
export class BlockBuilder {
  readonly state: Overlay;
  readonly number: number;
  readonly #executive: Executive;
  readonly #parentHash: Uint8Array;
  readonly #parentRoot: Uint8Array;
  readonly #digest: DigestItem[];
  readonly #extrinsics: Uint8Array[] = [];
  readonly #blockHashes = new Map<number, Uint8Array | undefined>();
  #weight: Weight = 0;
  #normalWeight: Weight = 0;
  #length = 0;
  #signedSeen = false;
  #phase: EventRecord["phase"] = { tag: "Initialization" };
  readonly #ctx: DispatchContext;

  constructor(executive: Executive, parent: Header, digest: DigestItem[]) {
    this.#executive = executive;
    this.#parentHash = blockHash(parent);
    this.#parentRoot = parent.stateRoot;
    this.#digest = digest;
    this.number = parent.number + 1;
    this.state = new Overlay(executive.stateAt(parent.stateRoot));
    this.#ctx = executive.context(this.state, () => this.#phase);
    const { runtime } = executive;
    try {
      runtime.system.initialize(this.state, {
        parentHash: this.#parentHash,
        number: this.number,
        digest,
      });
      for (const { pallet } of runtime.pallets) {
        this.#weight += pallet.hooks?.onInitialize?.(this.#ctx, this.number) ?? 0;
      }
    } catch (e) {
      throw new BlockError("BLOCK_ERROR_INITIALIZE_FAILED", { reason: String(e) }, `${e}`);
    }
  }

  /** Extrinsics applied so far. */
  get extrinsics(): readonly Uint8Array[] {
    return this.#extrinsics;
  }

  /**
   * Applies one extrinsic. An invalid one changes nothing and throws; a valid
   * one is included whether or not its dispatch succeeds.
   *
   * @throws {TransactionValidityError} when the extrinsic cannot be included
   */
  applyExtrinsic(bytes: Uint8Array): ApplyOutcome {
    const ext = decodeOrInvalid(bytes);
    const call = this.#executive.runtime.decodeCall(ext.call);
    this.#phase = { tag: "ApplyExtrinsic", value: this.#extrinsics.length };
    const outcome = ext.kind === "bare"
      ? this.#applyInherent(call)
      : this.#applySigned(ext, bytes.length, call);
    this.#extrinsics.push(bytes);
    this.#length += bytes.length;
    return outcome;
  }

  #applyInherent(call: DecodedCall): ApplyOutcome {
    const runtime = this.#executive.runtime;
    if (!runtime.isInherent(call)) {
      throw invalid("Call", `${call.entry.pallet.name}.${call.name} cannot be called unsigned`);
    }
    if (this.#signedSeen) {
      throw new BlockError("BLOCK_ERROR_INHERENT_POSITION", {
        index: this.#extrinsics.length,
      }, "inherents must come before signed extrinsics");
    }
    const weight = weightOf(call);
    const info = dispatchInfo(weight, "mandatory", false);
    this.state.startTransaction();
    try {
      call.spec.dispatch(this.#ctx, { kind: "none" }, call.args);
      this.state.commitTransaction();
    } catch (e) {
      this.state.rollbackTransaction();
      throw invalid("BadMandatory", `inherent ${call.entry.pallet.name}.${call.name} failed: ${e}`);
    }
    runtime.system.extrinsicSuccess(this.#ctx, info);
    this.#weight += weight;
    return { ok: true, weight, fee: 0n };
  }

  #applySigned(
    ext: Extract<Extrinsic, { kind: "signed" }>,
    length: number,
    call: DecodedCall,
  ): ApplyOutcome {
    const executive = this.#executive;
    const { runtime } = executive;
    const { system, limits } = runtime;
    const weight = weightOf(call);
    const cls = call.spec.class ?? "normal";
    const state = this.state;
    state.startTransaction();
    let fee: bigint;
    try {
      executive.checkSignature(state, ext, this.number, (n) => this.#blockHash(n));
      const nonce = system.accountNonce(state, ext.signer);
      if (ext.extra.nonce < nonce) {
        throw invalid("Stale", `nonce ${ext.extra.nonce} was already used (next is ${nonce})`);
      }
      if (ext.extra.nonce > nonce) {
        throw invalid("Future", `nonce ${ext.extra.nonce} is ahead of the account's ${nonce}`);
      }
      system.incrementNonce(state, ext.signer);
      const normal = cls === "normal" ? this.#normalWeight + weight : this.#normalWeight;
      if (
        this.#weight + weight > limits.maxWeight ||
        normal > limits.maxWeight * limits.normalRatioPercent / 100 ||
        this.#length + length > limits.maxLength
      ) {
        throw invalid("ExhaustsResources", "the block is full");
      }
      fee = executive.chargeFee(this.#ctx, ext, length, weight, call);
      state.commitTransaction();
    } catch (e) {
      state.rollbackTransaction();
      throw e;
    }
    this.#signedSeen = true;
    this.#weight += weight;
    this.#normalWeight = cls === "normal" ? this.#normalWeight + weight : this.#normalWeight;
    const paysFee = call.spec.paysFee !== false;
    const info = dispatchInfo(weight, cls, paysFee);
    let error: DispatchErrorValue | undefined;
    state.startTransaction();
    try {
      call.spec.dispatch(this.#ctx, { kind: "signed", who: ext.signer }, call.args);
      state.commitTransaction();
    } catch (e) {
      state.rollbackTransaction();
      error = toDispatchError(e, runtime.palletIndex);
    }
    if (paysFee) runtime.payment.settleFee(this.#ctx, ext.signer, fee, ext.extra.tip);
    if (error) system.extrinsicFailed(this.#ctx, error, info);
    else system.extrinsicSuccess(this.#ctx, info);
    return { ok: !error, error, weight, fee };
  }

  #blockHash(n: number): Uint8Array | undefined {
    if (!this.#blockHashes.has(n)) {
      this.#blockHashes.set(n, this.#executive.runtime.system.blockHash(this.state, n));
    }
    return this.#blockHashes.get(n);
  }

  /**
   * Runs the finalize hooks and seals the state and extrinsics roots into the
   * header (without a seal digest: consensus adds that).
   *
   * @throws {BlockError} BLOCK_ERROR_FINALIZE_FAILED when a hook rejects the block (a required inherent is missing)
   */
  finish(): SealedState {
    const executive = this.#executive;
    const { runtime } = executive;
    this.#phase = { tag: "Finalization" };
    try {
      for (const { pallet } of runtime.pallets) pallet.hooks?.onFinalize?.(this.#ctx, this.number);
      runtime.system.finalize(this.state);
    } catch (e) {
      throw new BlockError("BLOCK_ERROR_FINALIZE_FAILED", { reason: String(e) }, `${e}`);
    }
    const events = runtime.decodeEvents(runtime.system.events(this.state));
    const { root, nodes } = executive.trie.commit(this.#parentRoot, this.state.changes());
    const header: Header = {
      parentHash: this.#parentHash,
      number: this.number,
      stateRoot: root,
      extrinsicsRoot: orderedTrieRoot(this.#extrinsics),
      digest: this.#digest,
    };
    return { header, hash: blockHash(header), extrinsics: [...this.#extrinsics], nodes, events };
  }
}

function decodeOrInvalid(bytes: Uint8Array): Extrinsic {
  try {
    return decodeExtrinsic(bytes);
  } catch (e) {
    throw invalid("Call", (e as Error).message);
  }
}

function weightOf(call: DecodedCall): Weight {
  const w = call.spec.weight;
  return typeof w === "function" ? w(call.args) : w;
}

function maxWeightOf(limits: Runtime["limits"], call: DecodedCall): Weight {
  return (call.spec.class ?? "normal") === "normal"
    ? limits.maxWeight * limits.normalRatioPercent / 100
    : limits.maxWeight;
}

function u32le(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

/** `Balances` → `balances`, `QosRewards` → `qosRewards`: the chain spec's key of a pallet. */
export function lowerCamel(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}
