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
import { type Extrinsic, signingPayload } from "../extrinsic/extrinsic.ts";
import { metadataHash } from "../metadata/mod.ts";
import { eraBirth, eraDeath } from "../extrinsic/era.ts";
import type { PalletEvent } from "../pallet/events.ts";
import type { DispatchContext, Weight } from "../pallet/pallet.ts";
import type { MultiSignatureValue } from "../crypto/multi_signature.ts";
import { EMPTY_STATE, Overlay, type StateReader } from "../storage/overlay.ts";
import { EMPTY_TRIE_ROOT, orderedTrieRoot, type Trie } from "../trie/mod.ts";
import { BlockBuilder, type SealedState } from "./block_builder.ts";
import { BlockImport } from "./block_import.ts";
import type { DecodedCall, EventRecord, Runtime, SignatureVerifier } from "./runtime.ts";
import { decodeOrInvalid, invalid, TransactionValidityError, weightOf } from "./validity.ts";
import {
  executeRuntimeUpgrade,
  recordGenesisRuntime,
  storageVersionProblems,
} from "./runtime_upgrade.ts";

export {
  type ApplyOutcome,
  BlockBuilder,
  BlockError,
  type BlockErrorCode,
  type SealedState,
} from "./block_builder.ts";
export { BlockImport } from "./block_import.ts";

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

/** A signed extrinsic, decoded. */
export type SignedExtrinsic = Extract<Extrinsic, { kind: "signed" }>;

/** One signature to verify: what the executive will ask its verifier. */
export interface SignatureCheck {
  /** The `MultiSignature`: its kind and bytes. */
  signature: MultiSignatureValue;
  message: Uint8Array;
  /** The signer's account (for ecdsa, the hash of the key the signature must recover to). */
  account: Uint8Array;
}

/** The fee estimate `payment_queryInfo` returns. */
export interface FeeInfo {
  weight: Weight;
  class: "normal" | "operational" | "mandatory";
  partialFee: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

/** The pool tag a signed transaction provides: its signer and nonce (`requires` names the previous one). */
export function nonceTag(signer: Uint8Array, nonce: number): Uint8Array {
  return new Uint8Array([...signer, ...u32le(nonce)]);
}

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
    recordGenesisRuntime(this.runtime, state);
    return this.genesisFromPairs(state.changes());
  }

  /**
   * Genesis from storage pairs as they are (a raw chain spec): the same
   * header shape as {@link genesis}, so the same pairs give the same hash.
   */
  genesisFromPairs(pairs: [Uint8Array, Uint8Array | null][]): SealedState {
    const { root, nodes, refs } = this.trie.commit(EMPTY_TRIE_ROOT, pairs);
    const header: Header = {
      parentHash: new Uint8Array(32),
      number: 0,
      stateRoot: root,
      extrinsicsRoot: orderedTrieRoot([]),
      digest: [],
    };
    return { header, hash: blockHash(header), extrinsics: [], nodes, refs, events: [] };
  }

  /**
   * Starts a block on top of `parent` with its pre-runtime digest items (the
   * slot). The runtime appends the logs it deposits and consensus the seal;
   * an importer starts from the header's `PreRuntime` items alone, so a
   * block started with any other item does not import.
   */
  buildBlock(parent: Header, digest: DigestItem[]): BlockBuilder {
    return new BlockBuilder(this, parent, digest);
  }

  /**
   * Executes an imported block on top of `parent` and checks every root.
   *
   * @throws {BlockError} when the block is not valid on `parent`
   */
  executeBlock(parent: Header, block: Block): SealedState {
    const run = this.importBlock(parent, block);
    for (let i = 0; i < block.extrinsics.length; i++) run.apply(i);
    return run.finish();
  }

  /**
   * Starts executing an imported block step by step, for a host that
   * verifies signatures ahead of application (see {@link BlockImport}).
   *
   * @throws {BlockError} when the block is not a child of `parent`
   */
  importBlock(parent: Header, block: Block): BlockImport {
    return new BlockImport(this, parent, block);
  }

  /**
   * Fails unless this runtime can run on the state at `root`: no pallet's
   * storage is ahead of the version it declares, and every one behind has
   * migrations from there that the next block will run. For a node opening
   * a database, and for tests; a block never needs it (its upgrade block
   * fails on the same grounds).
   *
   * @throws {RangeError} listing every pallet that is wrong
   */
  checkStorageVersions(root: Uint8Array): void {
    const problems = storageVersionProblems(this.runtime, this.stateAt(root));
    if (problems.length) {
      throw new RangeError(`Cannot run this runtime on the state: ${problems.join("; ")}`);
    }
  }

  /**
   * Try-runtime: runs this runtime's upgrade on the state at `root`, due or
   * not, with every migration between its `preUpgrade` and `postUpgrade`
   * checks; every pallet ends at its declared storage version, or this
   * throws. Nothing is kept: the migrated state is returned to inspect.
   *
   * @throws {MigrationError} from the first migration or check that fails
   */
  tryRuntimeUpgrade(root: Uint8Array): { weight: Weight; state: Overlay } {
    const state = new Overlay(this.stateAt(root));
    const ctx = this.context(state, () => ({ tag: "Initialization" }));
    const weight = executeRuntimeUpgrade(this.runtime, ctx, { checks: true });
    return { weight, state };
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
    if (call.spec.class === "mandatory") {
      throw invalid("MandatoryValidation", "a mandatory call cannot be signed");
    }
    const weight = weightOf(call, this.runtime.limits, ext.signature.type);
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
    const tag = (n: number) => nonceTag(ext.signer, n);
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
    const weight = weightOf(
      call,
      this.runtime.limits,
      ext.kind === "signed" ? ext.signature.type : undefined,
    );
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
   * CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis,
   * CheckMortality and CheckMetadataHash, by verifying the signature over
   * the payload they define.
   *
   * @throws {TransactionValidityError} BadSigner, AncientBirthBlock or BadProof
   */
  checkSignature(
    state: StateReader,
    ext: SignedExtrinsic,
    current: number,
    blockHashOf: (n: number) => Uint8Array | undefined = (n) =>
      this.runtime.system.blockHash(state, n),
  ): void {
    const check = this.signatureCheck(ext, current, blockHashOf);
    if (!this.verify(check.signature, check.message, check.account)) {
      throw invalid(
        "BadProof",
        "bad signature (or signed for another chain, spec version, or birth block)",
      );
    }
  }

  /**
   * The signature an extrinsic must carry in block `current`: its signer,
   * its signature, and the payload its signed extensions define.
   *
   * @throws {TransactionValidityError} BadSigner, or AncientBirthBlock for a dead era
   */
  signatureCheck(
    ext: SignedExtrinsic,
    current: number,
    blockHashOf: (n: number) => Uint8Array | undefined,
  ): SignatureCheck {
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
    const message = signingPayload(ext.call, ext.extra, {
      specVersion: this.runtime.version.specVersion,
      transactionVersion: this.runtime.version.transactionVersion,
      genesisHash,
      eraBlockHash,
      // RFC 78: a signer that enabled the check signed the hash of the metadata it was shown.
      metadataHash: ext.extra.mode === "Enabled" ? metadataHash(this.runtime) : undefined,
    });
    return { signature: ext.signature, message, account: ext.signer };
  }

  /** ChargeTransactionPayment: computes the fee and withdraws it from the signer. */
  chargeFee(
    ctx: DispatchContext,
    ext: SignedExtrinsic,
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
