/**
 * Building a block: applying extrinsics one by one on top of a parent, then
 * sealing the state and extrinsics roots into the header.
 *
 * @module
 */
import type { DigestItem, Header } from "../block/header.ts";
import { blockHash } from "../block/header.ts";
import type { Extrinsic } from "../extrinsic/extrinsic.ts";
import type { DispatchContext, Weight } from "../pallet/pallet.ts";
import { MigrationError } from "../pallet/migration.ts";
import { Overlay } from "../storage/overlay.ts";
import { type NodeRefChanges, orderedTrieRoot } from "../trie/mod.ts";
import type { Executive, SignatureCheck } from "./executive.ts";
import type { DecodedCall, EventRecord } from "./runtime.ts";
import { executeRuntimeUpgrade, runtimeUpgradeDue } from "./runtime_upgrade.ts";
import {
  decodeOrInvalid,
  type DispatchErrorValue,
  dispatchInfo,
  invalid,
  toDispatchError,
  weightOf,
} from "./validity.ts";

/** Codes of block execution errors, with the payload each carries. */
export type BlockErrorCode =
  | "BLOCK_ERROR_PARENT_MISMATCH"
  | "BLOCK_ERROR_NUMBER_MISMATCH"
  | "BLOCK_ERROR_INVALID_EXTRINSIC"
  | "BLOCK_ERROR_INHERENT_POSITION"
  | "BLOCK_ERROR_FINALIZE_FAILED"
  | "BLOCK_ERROR_INITIALIZE_FAILED"
  | "BLOCK_ERROR_RUNTIME_UPGRADE_FAILED"
  | "BLOCK_ERROR_EXTRINSICS_ROOT_MISMATCH"
  | "BLOCK_ERROR_DIGEST_MISMATCH"
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
  /** How references to stored trie nodes changed from the parent's state (for pruning). */
  refs: NodeRefChanges;
  /** The block's events (decoded when first read). */
  events: EventRecord[];
}

/** Applies extrinsics one by one on top of a parent, then seals the roots. */
export class BlockBuilder {
  readonly state: Overlay;
  readonly number: number;
  readonly #executive: Executive;
  readonly #parentHash: Uint8Array;
  readonly #parentRoot: Uint8Array;
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
      this.#weight = runtime.limits.blockExecutionWeight;
      // FRAME's order: the block's bookkeeping reset, then the upgrade, then every on_initialize.
      if (runtimeUpgradeDue(runtime, this.state)) {
        this.#weight += executeRuntimeUpgrade(runtime, this.#ctx);
      }
      for (const { pallet } of runtime.pallets) {
        this.#weight += pallet.hooks?.onInitialize?.(this.#ctx, this.number) ?? 0;
      }
    } catch (e) {
      if (e instanceof MigrationError) {
        throw new BlockError("BLOCK_ERROR_RUNTIME_UPGRADE_FAILED", {
          pallet: e.pallet,
          from: e.from,
          reason: e.message,
        }, e.message);
      }
      throw new BlockError("BLOCK_ERROR_INITIALIZE_FAILED", { reason: String(e) }, `${e}`);
    }
  }

  /**
   * The weight the block has used so far: its execution base, a runtime
   * upgrade's migrations, the `onInitialize` hooks and the extrinsics.
   */
  get weight(): Weight {
    return this.#weight;
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
    const weight = weightOf(call, this.#executive.runtime.limits);
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
    const weight = weightOf(call, limits, ext.signature.type);
    const cls = call.spec.class ?? "normal";
    if (cls === "mandatory") throw invalid("BadMandatory", "a mandatory call cannot be signed");
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

  /**
   * The signature a signed, well-formed extrinsic must carry in this block,
   * for a host that verifies ahead of {@link applyExtrinsic}; `undefined` for
   * anything else (its fault shows when it is applied).
   */
  signatureCheck(bytes: Uint8Array): SignatureCheck | undefined {
    try {
      const ext = decodeOrInvalid(bytes);
      if (ext.kind !== "signed") return undefined;
      return this.#executive.signatureCheck(ext, this.number, (n) => this.#blockHash(n));
    } catch {
      return undefined;
    }
  }

  #blockHash(n: number): Uint8Array | undefined {
    if (!this.#blockHashes.has(n)) {
      this.#blockHashes.set(n, this.#executive.runtime.system.blockHash(this.state, n));
    }
    return this.#blockHashes.get(n);
  }

  /**
   * Runs the finalize hooks and seals the state and extrinsics roots into the
   * header, whose digest is `System.Digest` as the block leaves it: the items
   * it was started with, then every log the runtime deposited (without a
   * seal: consensus adds that).
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
    const eventBytes = runtime.system.events(this.state);
    const digest = runtime.system.digest(this.state);
    const { root, nodes, refs } = executive.trie.commit(this.#parentRoot, this.state.changes());
    const header: Header = {
      parentHash: this.#parentHash,
      number: this.number,
      stateRoot: root,
      extrinsicsRoot: orderedTrieRoot(this.#extrinsics),
      digest,
    };
    let events: EventRecord[] | undefined;
    return {
      header,
      hash: blockHash(header),
      extrinsics: [...this.#extrinsics],
      nodes,
      refs,
      // Decoded on first use: a full block holds tens of thousands of events.
      get events() {
        return events ??= runtime.decodeEvents(eventBytes);
      },
    };
  }
}
