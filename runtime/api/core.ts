/**
 * `Core` (version 5): the runtime's version, executing a block, starting one.
 *
 * @module
 */
import { blockHash, headerType } from "../block/header.ts";
import { t } from "../codec/types.ts";
import { equalBytes } from "../primitives/bytes.ts";
import { method, type RuntimeApi, RuntimeApiError } from "./api.ts";
import {
  blockType,
  encodeRuntimeVersion,
  extrinsicInclusionModeType,
  runtimeVersionType,
} from "./types.ts";

/**
 * `Core`, whose `version` lists `apis` (the table's own `[id, version]`
 * pairs, handed in so this file need not import the table).
 */
export function coreApi(apis: () => readonly (readonly [string, number])[]): RuntimeApi {
  return {
    api: "Core",
    version: 5,
    docs: "The `Core` runtime api that every Substrate runtime needs to implement.",
    methods: {
      version: method({
        inputs: {},
        output: runtimeVersionType,
        docs: "Returns the version of the runtime.",
        run: (host) => encodeRuntimeVersion(host.executive.runtime.version, apis()),
      }),
      execute_block: method({
        inputs: { block: blockType },
        output: t.unit,
        docs: "Execute the given block (on the state of its parent, the block called at).",
        run(host, state, { block }) {
          try {
            host.executive.executeBlock(state.at, block);
          } catch (e) {
            throw new RuntimeApiError(
              "RUNTIME_API_EXECUTION_FAILED",
              "Core_execute_block",
              (e as Error).message,
            );
          }
          return null;
        },
      }),
      initialize_block: method({
        inputs: { header: headerType },
        output: extrinsicInclusionModeType,
        docs: "Initialize a block with the given header and return the runtime executive mode. " +
          "The header must be a child of the block called at.",
        run(host, state, { header }) {
          if (
            header.number !== state.at.number + 1 ||
            !equalBytes(header.parentHash, blockHash(state.at))
          ) {
            throw new RuntimeApiError(
              "RUNTIME_API_EXECUTION_FAILED",
              "Core_initialize_block",
              `block ${header.number} is not a child of the block called at (${state.at.number})`,
            );
          }
          state.builder = host.executive.buildBlock(state.at, header.digest);
          return { tag: "AllExtrinsics" };
        },
      }),
    },
  };
}
