/**
 * The state commitment: Substrate's base-16 Patricia-Merkle trie (`sp-trie`
 * LayoutV1, blake2-256), so that the same key/value set has the same root as
 * on a Substrate chain.
 *
 * - `Trie`: reads at a root, batch `commit` returning the new nodes, read proofs;
 * - `verifyReadProof`: checks a read proof against a root alone (light client);
 * - `verifyStoredTrie`: checks that a whole trie is stored intact;
 * - `orderedTrieRoot`: the extrinsics root;
 * - `MemoryNodeStore`: nodes by hash in memory.
 *
 * @module
 */
export { EMPTY_TRIE_ROOT } from "./empty_root.ts";
export { MemoryNodeStore, type TrieNodeStore } from "./node_store.ts";
export { type NodeRefChanges, Trie, type TrieCommit, type TrieInit } from "./trie.ts";
export { verifyReadProof } from "./verify_read_proof.ts";
export { verifyStoredTrie } from "./verify_stored.ts";
export { orderedTrieRoot } from "./ordered_trie_root.ts";
