/**
 * Executing an imported block step by step: the parent and number are
 * checked first, then each extrinsic is applied (an invalid one fails the
 * block), then every root in the header is checked against the execution.
 *
 * `Executive.executeBlock` runs it in one go; a host that verifies
 * signatures on other threads runs it extrinsic by extrinsic, as their
 * verdicts arrive.
 *
 * @module
 */
import type { Block, Header } from "../block/header.ts";
import { blockHash } from "../block/header.ts";
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
    this.#builder = executive.buildBlock(parent, header.digest.filter((d) => d.tag !== "Seal"));
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
   * Finalizes the block and checks its roots against the header.
   *
   * @throws {BlockError} FINALIZE_FAILED, EXTRINSICS_ROOT_MISMATCH or STATE_ROOT_MISMATCH
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
