/**
 * `archive_v1_*` of the new JSON-RPC spec (paritytech's
 * json-rpc-interface-spec): any block's header, body, storage, storage
 * differences and runtime calls, by hash, with `hashByHeight` to find them.
 *
 * Served only by a node that keeps every state (`--state-pruning archive`):
 * the spec promises that a finalized block's answers never change nor
 * vanish, which a pruned node cannot keep. Elsewhere the methods are not
 * registered, so they answer `-32601` and `rpc_methods` leaves them out.
 *
 * @module
 */
import { encodeHeader, type Header } from "../../../runtime/block/header.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { RuntimeApiError } from "../../../runtime/api/mod.ts";
import { type ChainClient, StateDiscardedError } from "../../chain/mod.ts";
import type { Pruning } from "../../db/mod.ts";
import { ErrorCode, RpcError, type RpcServer } from "../../rpc/mod.ts";
import { hexParam, positional } from "../../../client/rpc/params.ts";
import { runtimeCallAt } from "../_runtime_call.ts";
import { storageItems, storageQueries } from "../../../client/rpc/storage_query.ts";
import { diffItems, storageDiff } from "./_diff.ts";
import { QuerySlots } from "./_query.ts";

/** What `archive_v1_*` needs of the node. */
export interface ArchiveApiContext {
  client: ChainClient;
  /** What the database keeps: the methods are served only when it keeps every state. */
  pruning: Pruning;
  /** `archive_v1_storage` and `archive_v1_storageDiff` queries running at once, node-wide (16). */
  maxQueries?: number;
}

/** A block by hash: the header, and the hash again for messages and ancestry. */
interface Found {
  hash: Uint8Array;
  header: Header;
}

/**
 * Registers `archive_v1_*` on `server` when the node keeps every state and
 * every body (`--state-pruning archive`, `--blocks-pruning archive`, the
 * latter the default): the spec promises a body for every block found.
 * On a node that prunes either, it registers nothing.
 *
 * @returns whether the methods were registered
 */
export function registerArchiveApi(server: RpcServer, ctx: ArchiveApiContext): boolean {
  if (ctx.pruning.states !== "archive" || ctx.pruning.blocks !== "archive") return false;
  const { client } = ctx;
  const slots = new QuerySlots(ctx.maxQueries ?? 16);
  /** The block `hash` names, or an error event's reason. */
  const find = async (hash: Uint8Array, what = "Block"): Promise<Found> => {
    const header = await client.header(hash);
    if (!header) throw new Error(`${what} not found: ${toHex(hash)}`);
    return { hash, header };
  };

  const methods: Record<string, (params: unknown[]) => unknown> = {
    archive_v1_genesisHash: () => toHex(client.genesisHash),
    archive_v1_finalizedHeight: () => client.finalized.header.number,
    archive_v1_hashByHeight: async (params) => {
      const height = params[0];
      if (typeof height !== "number" || !Number.isSafeInteger(height) || height < 0) {
        throw new RpcError(
          ErrorCode.InvalidParams,
          "Invalid params: height must be a non-negative integer",
        );
      }
      if (height <= client.finalized.header.number) {
        const hash = await client.hashAt(height);
        return hash ? [toHex(hash)] : [];
      }
      return client.blocksAt(height).map((block) => toHex(block.hash));
    },
    archive_v1_header: async (params) => {
      const header = await client.header(hexParam(params, 0, "hash", 32));
      return header ? toHex(encodeHeader(header)) : null;
    },
    archive_v1_body: async (params) => {
      const body = await client.body(hexParam(params, 0, "hash", 32));
      return body ? body.map(toHex) : null;
    },
    archive_v1_call: async (params) => {
      const hash = hexParam(params, 0, "hash", 32);
      if (typeof params[1] !== "string") {
        throw new RpcError(ErrorCode.InvalidParams, "Invalid params: function must be a string");
      }
      // An empty string is no input, as polkadot-api sends for functions that take none.
      const input = params[2] === "" ? new Uint8Array() : hexParam(params, 2, "callParameters");
      const header = await client.header(hash);
      if (!header) return null;
      try {
        return { success: true, value: toHex(runtimeCallAt(client, header, params[1], input)) };
      } catch (e) {
        if (e instanceof RuntimeApiError || e instanceof StateDiscardedError) {
          return { success: false, error: e.message };
        }
        // A fork that finality discarded loses its state: the block is gone.
        if (e instanceof RangeError && e.message.startsWith("Cannot read trie")) return null;
        throw e;
      }
    },
  };
  for (const [name, method] of Object.entries(methods)) {
    server.register(name, (params) => method(positional(params)));
  }

  server.registerSubscription({
    subscribe: "archive_v1_storage",
    unsubscribe: "archive_v1_stopStorage",
    unsubscribeAnswersNull: true,
    notification: "archive_v1_storageEvent",
    start(raw, emit, close) {
      const params = positional(raw);
      const hash = hexParam(params, 0, "hash", 32);
      const queries = storageQueries(params[1], true);
      const childTrie = hexParam(params, 2, "childTrie", undefined, true);
      return slots.run(
        async () => {
          const { header } = await find(hash);
          // Sutantra's state has no child tries: a query into one finds nothing.
          if (childTrie) return [];
          const trie = client.executive.trie;
          return storageEvents(storageItems(
            client.stateAt(header),
            (key) => trie.closestDescendantMerkleValue(header.stateRoot, key),
            queries,
          ));
        },
        { done: "storageDone", error: "storageError" },
        emit,
        close,
      );
    },
  });

  server.registerSubscription({
    subscribe: "archive_v1_storageDiff",
    unsubscribe: "archive_v1_stopStorageDiff",
    unsubscribeAnswersNull: true,
    notification: "archive_v1_storageDiffEvent",
    start(raw, emit, close) {
      const params = positional(raw);
      const hash = hexParam(params, 0, "hash", 32);
      const items = diffItems(params[1]);
      const previousHash = hexParam(params, 2, "previousHash", 32, true);
      return slots.run(
        async () => {
          const block = await find(hash);
          const previous = previousHash
            ? await find(previousHash, "previousHash block")
            : await find(block.header.parentHash, "Parent block");
          if (!(await isAncestor(client, previous, block))) {
            throw new Error(`${toHex(previous.hash)} is not an ancestor of ${toHex(hash)}`);
          }
          return storageDiff(client.stateAt(previous.header), client.stateAt(block.header), items);
        },
        { done: "storageDiffDone", error: "storageDiffError" },
        emit,
        close,
      );
    },
  });
  return true;
}

function* storageEvents(items: Iterable<object>): Generator<object> {
  for (const item of items) yield { event: "storage", ...item };
}

/**
 * Whether `ancestor` is a proper ancestor of `block`: walked down parent
 * by parent until the finalized chain, whose blocks the canonical index
 * answers at once.
 */
async function isAncestor(client: ChainClient, ancestor: Found, block: Found): Promise<boolean> {
  const finalized = client.finalized.header.number;
  const canonical = async (at: Found) => {
    const hash = await client.hashAt(at.header.number);
    return hash !== undefined && equalBytes(hash, at.hash);
  };
  let at = block;
  while (at.header.number > ancestor.header.number) {
    if (at.header.number <= finalized && await canonical(at)) return await canonical(ancestor);
    const parent = await client.header(at.header.parentHash);
    if (!parent) return false;
    at = { hash: at.header.parentHash, header: parent };
  }
  return at !== block && equalBytes(at.hash, ancestor.hash);
}
