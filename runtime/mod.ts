/**
 * THE Sutantra runtime: the pallets composed, with their stable indices.
 *
 * Adding a pallet is one folder under `pallets/` and one line in `PALLETS`
 * below. Indices are part of the wire format (calls and events start with
 * the pallet index): never reuse or reorder one.
 *
 * @module
 */
import { Executive } from "./executive/executive.ts";
import {
  type BlockLimits,
  type ChainProperties,
  Runtime,
  type RuntimeVersion,
} from "./executive/runtime.ts";
import type { Pallet } from "./pallet/pallet.ts";
import { WEIGHT_PER_SECOND } from "./pallet/pallet.ts";
import {
  BLOCK_EXECUTION_WEIGHT,
  ECDSA_VERIFY_EXTRA_WEIGHT,
  EXTRINSIC_BASE_WEIGHT,
  SR25519_VERIFY_EXTRA_WEIGHT,
} from "./base_weights.ts";
import { verifyMulti } from "./crypto/mod.ts";
import { MemoryNodeStore, Trie, type TrieNodeStore } from "./trie/mod.ts";
import { system, systemApi } from "../pallets/system/mod.ts";
import { timestamp } from "../pallets/timestamp/mod.ts";
import { authorship } from "../pallets/authorship/mod.ts";
import { balances } from "../pallets/balances/mod.ts";
import { paymentApi, transactionPayment } from "../pallets/transaction-payment/mod.ts";
import { staking } from "../pallets/staking/mod.ts";
import { streams } from "../pallets/streams/mod.ts";
import { access } from "../pallets/access/mod.ts";
import { qosRewards } from "../pallets/qos-rewards/mod.ts";
import { template } from "../pallets/template/mod.ts";
import { sudo } from "../pallets/sudo/mod.ts";

/** The runtime's version: bump `specVersion` on any change of behaviour, `transactionVersion` on any change of call encoding. */
export const VERSION: RuntimeVersion = {
  specName: "sutantra",
  implName: "sutantra-node",
  authoringVersion: 1,
  specVersion: 104,
  implVersion: 1,
  transactionVersion: 3,
  stateVersion: 1,
};

/**
 * Addresses and the token (`system_properties`): SS58 prefix 42 (Substrate's
 * generic one) and STREAM with 12 decimals. The built-in chain specs state
 * these, any other chain spec must too: the metadata hash commits to them.
 */
export const PROPERTIES: ChainProperties = {
  ss58Format: 42,
  tokenSymbol: "STREAM",
  tokenDecimals: 12,
};

/**
 * Block limits: two seconds of compute per block (a third of a 6 s slot), 5
 * MiB of extrinsics, and the measured base weights of an extrinsic and of
 * a block, and of sr25519 and ecdsa signatures over ed25519 (`deno task
 * bench:weights`).
 */
export const LIMITS: BlockLimits = {
  maxWeight: 2 * WEIGHT_PER_SECOND,
  normalRatioPercent: 75,
  maxLength: 5 * 1024 * 1024,
  extrinsicBaseWeight: EXTRINSIC_BASE_WEIGHT,
  signatureExtraWeight: { Sr25519: SR25519_VERIFY_EXTRA_WEIGHT, Ecdsa: ECDSA_VERIFY_EXTRA_WEIGHT },
  blockExecutionWeight: BLOCK_EXECUTION_WEIGHT,
};

/** The pallets and their indices. */
const PALLETS: { index: number; pallet: Pallet }[] = [
  { index: 0, pallet: system },
  { index: 1, pallet: timestamp },
  { index: 2, pallet: authorship },
  { index: 3, pallet: balances },
  { index: 4, pallet: transactionPayment },
  { index: 5, pallet: staking },
  { index: 6, pallet: streams },
  { index: 7, pallet: access },
  { index: 8, pallet: qosRewards },
  { index: 9, pallet: template },
  { index: 10, pallet: sudo },
];

/** The composed runtime. */
export const runtime: Runtime = new Runtime({
  version: VERSION,
  pallets: PALLETS,
  system: systemApi,
  payment: paymentApi,
  limits: LIMITS,
  properties: PROPERTIES,
});

/**
 * An executive over a trie node store (in memory unless given), verifying
 * signatures of every kind, ed25519 natively — the rules, see `runtime/crypto`.
 */
export function createExecutive(store: TrieNodeStore = new MemoryNodeStore()): Executive {
  return new Executive(runtime, new Trie(store), verifyMulti);
}

export { authorities, slotDuration } from "../pallets/authorship/mod.ts";
