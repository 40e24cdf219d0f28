/**
 * `BlockBuilder` (version 6): applying extrinsics to the block being built,
 * finishing it, and the inherents (the timestamp) it needs.
 *
 * @module
 */
import { headerType } from "../block/header.ts";
import { Reader, t } from "../codec/types.ts";
import { BlockError } from "../executive/executive.ts";
import { decodeOrInvalid, TransactionValidityError } from "../executive/validity.ts";
import { encodeBare } from "../extrinsic/extrinsic.ts";
import { equalBytes } from "../primitives/bytes.ts";
import { type ApiState, method, type RuntimeApi, RuntimeApiError } from "./api.ts";
import {
  applyExtrinsicResultType,
  blockType,
  checkInherentsResultType,
  extrinsicType,
  inherentDataType,
  TIMESTAMP_INHERENT,
  validityErrorValue,
} from "./types.ts";
import type { Executive } from "../executive/executive.ts";

/** `sp_timestamp::InherentError::TooFarInFuture`, SCALE. */
const TOO_FAR_IN_FUTURE = new Uint8Array([1]);

/** The timestamp (ms) in inherent data, if it carries one. */
function timestampOf(data: [Uint8Array, Uint8Array][]): bigint | undefined {
  const entry = data.find(([id]) => equalBytes(id, TIMESTAMP_INHERENT));
  if (!entry) return undefined;
  try {
    return new Reader(entry[1]).u64();
  } catch {
    throw new RuntimeApiError(
      "RUNTIME_API_EXECUTION_FAILED",
      "BlockBuilder_inherent_extrinsics",
      "the timestamp inherent data is not a u64",
    );
  }
}

/** The `now` of a block's `Timestamp.set` inherent, if it has one. */
function blockTimestamp(executive: Executive, extrinsics: Uint8Array[]): bigint | undefined {
  for (const bytes of extrinsics) {
    try {
      const ext = decodeOrInvalid(bytes);
      if (ext.kind !== "bare") return undefined;
      const call = executive.runtime.decodeCall(ext.call);
      if (call.entry.pallet.name === "Timestamp" && call.name === "set") {
        return call.args.now as bigint;
      }
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `BlockBuilder`. `slotDuration` gives the drift a block's timestamp may
 * have past the checker's clock (one slot, as Aura's import check allows).
 */
export function blockBuilderApi(slotDuration: (state: ApiState) => bigint): RuntimeApi {
  return {
    api: "BlockBuilder",
    version: 6,
    docs:
      "The `BlockBuilder` api trait that provides the required functionality for building a block.",
    methods: {
      apply_extrinsic: method({
        inputs: { extrinsic: extrinsicType },
        output: applyExtrinsicResultType,
        docs: "Apply the given extrinsic. Returns an inclusion outcome which specifies if this " +
          "extrinsic is included in this block or not. Without `Core_initialize_block` first, " +
          "it goes into a block started on the block called at with no digest.",
        run(host, state, { extrinsic }) {
          try {
            const outcome = state.blockBuilder(host).applyExtrinsic(extrinsic);
            return {
              tag: "Ok",
              value: outcome.ok
                ? { tag: "Ok", value: null }
                : { tag: "Err", value: outcome.error! },
            };
          } catch (e) {
            if (e instanceof TransactionValidityError) {
              return { tag: "Err", value: validityErrorValue(e) };
            }
            if (e instanceof BlockError) {
              throw new RuntimeApiError(
                "RUNTIME_API_EXECUTION_FAILED",
                "BlockBuilder_apply_extrinsic",
                e.message,
              );
            }
            throw e;
          }
        },
      }),
      finalize_block: method({
        inputs: {},
        output: headerType,
        docs: "Finish the current block.",
        run(host, state) {
          const builder = state.blockBuilder(host);
          state.builder = undefined;
          try {
            return builder.finish().header;
          } catch (e) {
            throw new RuntimeApiError(
              "RUNTIME_API_EXECUTION_FAILED",
              "BlockBuilder_finalize_block",
              (e as Error).message,
            );
          }
        },
      }),
      inherent_extrinsics: method({
        inputs: { inherent: inherentDataType },
        output: t.vec(extrinsicType),
        docs: "Generate inherent extrinsics. The inherent data will vary from chain to chain. " +
          "Here: `timstap0` (u64 ms) gives `Timestamp.set`.",
        run(host, _state, { inherent }) {
          const now = timestampOf(inherent);
          if (now === undefined) return [];
          const call = host.executive.runtime.encodeCall({
            pallet: "Timestamp",
            call: "set",
            args: { now },
          });
          return [encodeBare(call)];
        },
      }),
      check_inherents: method({
        inputs: { block: blockType, data: inherentDataType },
        output: checkInherentsResultType,
        docs: "Check that the inherents are valid. The inherent data will vary from chain to " +
          "chain. Here: the block's timestamp is at most one slot past `timstap0`.",
        run(host, state, { block, data }) {
          const now = timestampOf(data);
          const stamped = blockTimestamp(host.executive, block.extrinsics);
          if (now !== undefined && stamped !== undefined && stamped > now + slotDuration(state)) {
            return {
              okay: false,
              fatalError: true,
              errors: [[TIMESTAMP_INHERENT, TOO_FAR_IN_FUTURE] as [Uint8Array, Uint8Array]],
            };
          }
          return { okay: true, fatalError: false, errors: [] };
        },
      }),
    },
  };
}
