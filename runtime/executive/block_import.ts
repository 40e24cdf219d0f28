/**
 * Executing an imported block step by step: the parent and number are
 * checked first, then each extrinsic is applied (an invalid one fails the
 * block), then every root in the header, and its digest, are checked against
 * the execution.
 *
 * As Substrate's `extract_pre_digest` and `final_checks`: the block starts
 * with only its header's `PreRuntime` items, and the digest the runtime
 * leaves (those items plus every log it deposited) must be the header's
 * without its trailing seal. An author can then neither drop a log the
 * runtime deposited (an authority set change) nor add one it did not.
 *
 * `Executive.executeBlock` runs it in one go; a host that verifies
 * signatures on other threads runs it extrinsic by extrinsic, as their
 * verdicts arrive.
 *
 * @module
 */
import type { Block, DigestItem, Header } from "../block/header.ts";
import { blockHash, digestItemType } from "../block/header.ts";
import { encode } from "../codec/types.ts";
import { equalBytes } from "../primitives/bytes.ts";
import { toHex } from "../primitives/hex.ts";
import { type BlockBuilder, BlockError, type SealedState } from "./block_builder.ts";
import type { Executive, SignatureCheck } from "./executive.ts";
import { TransactionValidityError } from "./validity.ts";

/** An imported block being executed on top of its parent. */
export class BlockImport {
  readonly #block: Block;
  readonly #builder: BlockBuilder;

  /** @throws {BlockError} PARENT_MISMATCH or NUMBER_MISMATCH */
  constructor(executive: Executive, parent: Header, block: Block) {
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
    this.#block = block;
    this.#builder = executive.buildBlock(
      parent,
      header.digest.filter((d) => d.tag === "PreRuntime"),
    );
  }

  /** The signature extrinsic `index` must carry, if it is signed and well formed. */
  signatureCheck(index: number): SignatureCheck | undefined {
    return this.#builder.signatureCheck(this.#block.extrinsics[index]);
  }

  /**
   * Applies extrinsic `index`; extrinsics must be applied in order.
   *
   * @throws {BlockError} INVALID_EXTRINSIC or INHERENT_POSITION
   */
  apply(index: number): void {
    try {
      this.#builder.applyExtrinsic(this.#block.extrinsics[index]);
    } catch (e) {
      if (!(e instanceof TransactionValidityError)) throw e;
      throw new BlockError("BLOCK_ERROR_INVALID_EXTRINSIC", {
        index,
        reason: e.reason,
      }, `extrinsic ${index} is invalid: ${e.message}`);
    }
  }

  /**
   * Finalizes the block and checks its roots and digest against the header.
   *
   * @throws {BlockError} FINALIZE_FAILED, EXTRINSICS_ROOT_MISMATCH, DIGEST_MISMATCH or STATE_ROOT_MISMATCH
   */
  finish(): SealedState {
    const { header } = this.#block;
    const built = this.#builder.finish();
    if (!equalBytes(built.header.extrinsicsRoot, header.extrinsicsRoot)) {
      throw new BlockError("BLOCK_ERROR_EXTRINSICS_ROOT_MISMATCH", {
        expected: toHex(built.header.extrinsicsRoot),
        got: toHex(header.extrinsicsRoot),
      }, "the extrinsics root does not match the body");
    }
    checkDigest(built.header.digest, unsealed(header.digest));
    if (!equalBytes(built.header.stateRoot, header.stateRoot)) {
      throw new BlockError("BLOCK_ERROR_STATE_ROOT_MISMATCH", {
        expected: toHex(built.header.stateRoot),
        got: toHex(header.stateRoot),
      }, "the state root does not match the executed state");
    }
    // The header as imported (with its seal), not the one rebuilt here.
    built.header = header;
    built.hash = blockHash(header);
    return built;
  }
}

/** `digest` without its trailing `Seal` items (consensus adds them after the runtime). */
function unsealed(digest: DigestItem[]): DigestItem[] {
  let end = digest.length;
  while (end > 0 && digest[end - 1].tag === "Seal") end--;
  return digest.slice(0, end);
}

/**
 * Fails unless the header's unsealed digest is item for item the one the
 * runtime computed.
 *
 * @throws {BlockError} DIGEST_MISMATCH
 */
function checkDigest(computed: DigestItem[], header: DigestItem[]): void {
  const hex = (items: DigestItem[]) => items.map((d) => toHex(encode(digestItemType, d)));
  const expected = hex(computed);
  const got = hex(header);
  if (expected.length !== got.length) {
    throw new BlockError(
      "BLOCK_ERROR_DIGEST_MISMATCH",
      { expected, got },
      `the header carries ${got.length} digest items before its seal, the runtime computed ${expected.length}`,
    );
  }
  const at = expected.findIndex((item, i) => item !== got[i]);
  if (at >= 0) {
    throw new BlockError(
      "BLOCK_ERROR_DIGEST_MISMATCH",
      { expected, got, index: at },
      `digest item ${at} is not the one the runtime computed`,
    );
  }
}
