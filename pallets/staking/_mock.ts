/**
 * The staking tests' chain: the dev genesis with a staking section of short
 * eras, and helpers to move between eras and read stakers.
 *
 * @module
 */
import { runtimeGenesis } from "../../chain-spec/presets.ts";
import { type Keypair, ss58Encode } from "../../runtime/crypto/mod.ts";
import type { DispatchContext, Weight } from "../../runtime/pallet/pallet.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { Overlay } from "../../runtime/storage/overlay.ts";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import { freeBalance } from "../balances/mod.ts";
import { sessionKeyProofPayload, staking, stakingStorage as storage } from "./mod.ts";

/** One token: 12 decimals. */
export const TOKEN = 10n ** 12n;

/** Blocks per era in the tests. */
export const ERA_LENGTH = 10;

/** A genesis staker, chain-spec JSON. */
export type StakerJson = Record<string, unknown>;

/** A validator staker of the genesis config. */
export function validatorStaker(
  stash: Keypair,
  key: Keypair,
  bond: bigint,
  commissionPerbill = 0,
): StakerJson {
  return {
    stash: toHex(stash.publicKey),
    sessionKey: toHex(key.publicKey),
    bond: bond.toString(),
    role: { Validator: { commissionPerbill } },
  };
}

/** A nominator staker of the genesis config. */
export function nominatorStaker(
  stash: Keypair,
  key: Keypair,
  bond: bigint,
  targets: Keypair[],
): StakerJson {
  return {
    stash: toHex(stash.publicKey),
    sessionKey: toHex(key.publicKey),
    bond: bond.toString(),
    role: { Nominator: targets.map((t) => toHex(t.publicKey)) },
  };
}

/** The staking section: 10-block eras, 2 eras of bonding, Alice's stash validating. */
export function stakingConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eraLength: ERA_LENGTH,
    bondingDuration: 2,
    validatorCount: 2,
    minValidatorBond: (1_000n * TOKEN).toString(),
    minNominatorBond: (10n * TOKEN).toString(),
    eraPayout: (1_000n * TOKEN).toString(),
    equivocationSlashPerbill: 100_000_000,
    stakers: [validatorStaker(dev.aliceStash, dev.alice, 100_000n * TOKEN, 100_000_000)],
    ...overrides,
  };
}

/** A test chain with {@link stakingConfig} (and overrides of it). */
export function newExt(overrides: Record<string, unknown> = {}): TestExt {
  return new TestExt({ staking: stakingConfig(overrides) });
}

/** Moves to the first block of era `era` (its `onInitialize` has run). */
export function toEra(ext: TestExt, era: number): void {
  ext.nextBlock(era * ERA_LENGTH - ext.blockNumber);
}

/** A stash's free balance. */
export function free(ext: TestExt, who: Keypair): bigint {
  return freeBalance(ext.state, who.publicKey);
}

/** A stash's ledger (throws if it is not bonded). */
export function ledger(ext: TestExt, who: Keypair) {
  const l = storage.Ledger.get(ext.state, who.publicKey);
  if (!l) throw new Error("not bonded");
  return l;
}

/** The `setKeys` arguments that give `stash` the session key `key`, with `key`'s proof. */
export function keysArgs(stash: Keypair, key: Keypair): { key: Uint8Array; proof: Uint8Array } {
  return { key: key.publicKey, proof: key.sign(sessionKeyProofPayload(stash.publicKey)) };
}

/** `{ tag: "Id", value }` for a keypair. */
export function id(who: Keypair): { tag: "Id"; value: Uint8Array } {
  return { tag: "Id", value: who.publicKey };
}

/**
 * A QoS-rewards genesis that mints nothing per era, for tests that count
 * total issuance: only staking's `EraPayout` is then minted at an era boundary.
 */
export const NO_QOS_ISSUANCE = {
  relayDeposit: (100n * TOKEN).toString(),
  eraIssuance: "0",
  maxReceiptsPerReport: 16,
};

/** A dispatch context over the open block, for calling the pallet's helpers directly. */
export function context(ext: TestExt): DispatchContext {
  return ext.executive.context(ext.state, () => ({ tag: "Initialization" }));
}

/**
 * Runs blocks until every ended era is paid (the hook pays a page a block);
 * returns the `Staking.Rewarded` amounts of those blocks, summed by stash (hex).
 */
export function payAll(ext: TestExt, limit = 10_000): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (let n = 0; storage.PayoutCursor.exists(ext.state); n++) {
    if (n === limit) throw new Error(`not paid within ${limit} blocks`);
    ext.nextBlock();
    rewards(ext, out);
  }
  return out;
}

/** Sums the `Staking.Rewarded` amounts of the open block, by stash (hex), into `out`. */
export function rewards(ext: TestExt, out = new Map<string, bigint>()): Map<string, bigint> {
  for (const e of ext.events()) {
    if (e.pallet !== "Staking" || e.name !== "Rewarded") continue;
    const who = toHex(e.data.stash as Uint8Array);
    out.set(who, (out.get(who) ?? 0n) + (e.data.amount as bigint));
  }
  return out;
}

/**
 * `count` nominators of `targets` for a genesis: distinct stashes (and
 * session keys nobody holds), bonds of `bond(i)`, and a balances section
 * that funds them as well as the dev accounts.
 */
export function nominators(
  count: number,
  targets: Keypair[],
  bond: (i: number) => bigint = () => 100n * TOKEN,
): { balances: Record<string, unknown>; stakers: StakerJson[]; stashes: Uint8Array[] } {
  const seed = (i: number, tag: number) => blake2_256(new Uint8Array([tag, i >> 16, i >> 8, i]));
  const stashes = Array.from({ length: count }, (_, i) => seed(i, 1));
  const base = runtimeGenesis(["Alice"]).balances as {
    existentialDeposit: string;
    balances: [string, string][];
  };
  const balances = {
    existentialDeposit: base.existentialDeposit,
    balances: [
      ...base.balances,
      ...stashes.map((s, i) => [ss58Encode(s), (bond(i) + TOKEN).toString()]),
    ],
  };
  const stakers = stashes.map((stash, i) => ({
    stash: toHex(stash),
    sessionKey: toHex(seed(i, 2)),
    bond: bond(i).toString(),
    role: { Nominator: targets.map((t) => toHex(t.publicKey)) },
  }));
  return { balances, stakers, stashes };
}

/**
 * The weight the staking pallet's `onInitialize` declared for the open
 * block: the hook run again on a scratch copy of the parent's state.
 */
export function hookWeight(ext: TestExt): Weight {
  const scratch = new Overlay(ext.executive.stateAt(ext.parent.stateRoot));
  const ctx = ext.executive.context(scratch, () => ({ tag: "Initialization" }));
  return staking.hooks!.onInitialize!(ctx, ext.blockNumber);
}
