/**
 * Checks a node's stored state against a block's header from the outside:
 * reads every key and value at the block over JSON-RPC and rebuilds the trie
 * root from them. A trie node lost or torn by a crash shows up as a read
 * that fails or a root that differs.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { fromHex, toHex } from "../../runtime/primitives/hex.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "../../runtime/trie/mod.ts";
import type { NodeProcess } from "../_node.ts";

/** Keys per `state_getKeysPaged` call (the RPC's limit). */
const PAGE = 1000;

/** Every key of the state at block `at`, in order. */
async function allKeys(node: NodeProcess, at: string): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const start = keys.at(-1) ?? null;
    const page = await node.rpc<string[]>("state_getKeysPaged", ["0x", PAGE, start, at]);
    keys.push(...page);
    if (page.length < PAGE) return keys;
  }
}

/**
 * Asserts that the state `node` holds at block `hash` has the header's state
 * root; resolves with the number of keys checked.
 */
export async function assertStateRoot(node: NodeProcess, hash: string): Promise<number> {
  const header = await node.rpc<{ number: string; stateRoot: string }>("chain_getHeader", [hash]);
  const keys = await allKeys(node, hash);
  // One call at a time: the RPC's connection limits are for clients, not for this check.
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const key of keys) {
    const value = await node.rpc<string | null>("state_getStorage", [key, hash]);
    if (value === null) throw new Error(`${key} is listed at #${header.number} but has no value`);
    pairs.push([fromHex(key), fromHex(value)]);
  }
  const { root } = new Trie(new MemoryNodeStore()).commit(EMPTY_TRIE_ROOT, pairs);
  assertEquals(
    toHex(root),
    header.stateRoot,
    `the state stored at #${parseInt(header.number, 16)} does not have its header's root`,
  );
  return keys.length;
}
