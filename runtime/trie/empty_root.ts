/**
 * The root of the empty trie.
 *
 * @module
 */
import { blake2_256 } from "../primitives/hashing.ts";

/**
 * The root of the empty trie: blake2-256 of the empty node `[0x00]`
 * (`0x03170a2e…1314`), as Substrate's `hashed_null_node`. Treat as read-only.
 */
export const EMPTY_TRIE_ROOT: Uint8Array = blake2_256(new Uint8Array([0]));
