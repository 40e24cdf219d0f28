/**
 * The built-in chains: `dev` (one validator, Alice) and `local` (Alice, Bob,
 * Charlie and Dave), with //Alice..//Ferdie and their //stash accounts
 * funded as ed25519 keys, //Alice..//Ferdie funded as sr25519 keys too
 * (polkadot.js Apps' default dev accounts), and ed25519 //Alice as the sudo
 * key. Each validator is bonded from `//X//stash` with (ed25519) session key `//X`.
 * `dev.json` and `local.json` are these presets written out by `build.ts`; a
 * test keeps them in step.
 *
 * @module
 */
import { keypairFromUri, sr25519FromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { PROPERTIES } from "../runtime/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { POT_ACCOUNT } from "../pallets/qos-rewards/relays.ts";
import type { ChainSpec, RelaySettings } from "./spec.ts";

/** One token: 10^decimals units (12 decimals, the runtime's). */
export const TOKEN = 10n ** BigInt(PROPERTIES.tokenDecimals);

/** Dev account names, in Substrate's order. */
export const DEV_NAMES = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"] as const;

/** Slot (and so block) time of the built-in chains. */
export const SLOT_MS = 6000;

/** Blocks per staking era: 100 blocks of 6 s, ten minutes. */
export const ERA_LENGTH = 100;

/** What each dev account and each stash holds at genesis. */
export const ENDOWMENT = 1_000_000n * TOKEN;

/** What each genesis validator's stash bonds (a tenth of its endowment). */
export const VALIDATOR_BOND = 100_000n * TOKEN;

const address = (uri: string) => ss58Encode(keypairFromUri(uri).publicKey, PROPERTIES.ss58Format);
const sr25519Address = (uri: string) =>
  ss58Encode(sr25519FromUri(uri).publicKey, PROPERTIES.ss58Format);

/** Relays cut a viewer off 5 s after its vouchers stop covering what it watched. */
const RELAY: RelaySettings = { graceSeconds: 5, iceServers: [] };

/** Runtime genesis of a chain whose validators are the named dev accounts. */
export function runtimeGenesis(validators: readonly string[]): Record<string, unknown> {
  const endowed = [
    ...DEV_NAMES.flatMap((n) => [address(`//${n}`), address(`//${n}//stash`)]),
    ...DEV_NAMES.map((n) => sr25519Address(`//${n}`)),
  ];
  const existentialDeposit = TOKEN / 1000n;
  return {
    system: {},
    // Substrate's rule: blocks at least half a slot apart.
    timestamp: { minimumPeriodMs: SLOT_MS / 2 },
    authorship: {
      authorities: validators.map((n) => address(`//${n}`)),
      slotDurationMs: SLOT_MS,
    },
    balances: {
      existentialDeposit: existentialDeposit.toString(),
      balances: [
        ...endowed.map((a) => [a, ENDOWMENT.toString()]),
        [toHex(POT_ACCOUNT), existentialDeposit.toString()],
      ],
    },
    transactionPayment: {
      baseFee: (TOKEN / 1000n).toString(),
      lengthFee: (TOKEN / 1_000_000n).toString(),
      weightFee: (TOKEN / 1_000_000n).toString(),
      authorSharePercent: 80,
    },
    staking: {
      eraLength: ERA_LENGTH,
      // Six ten-minute eras: an hour, short enough to try unbonding on a test chain.
      bondingDuration: 6,
      // Room for as many validators again to join by `validate`.
      validatorCount: validators.length * 2,
      minValidatorBond: (1_000n * TOKEN).toString(),
      minNominatorBond: (10n * TOKEN).toString(),
      // 20 tokens an era, 52,560 eras a year: about 9% a year of the 12M issued.
      eraPayout: (20n * TOKEN).toString(),
      equivocationSlashPerbill: 100_000_000,
      stakers: validators.map((n) => ({
        stash: address(`//${n}//stash`),
        sessionKey: address(`//${n}`),
        bond: VALIDATOR_BOND.toString(),
        role: { Validator: { commissionPerbill: 0 } },
      })),
    },
    access: {
      // Of each claim: 80% to the creator, 15% to the claiming relay, 5% to the QoS pot.
      creatorSharePerbill: 800_000_000,
      relaySharePerbill: 150_000_000,
      // Payees may claim for an hour of blocks after a channel expires.
      settleWindow: 600,
      graceSeconds: 30,
      minDeposit: (TOKEN / 100n).toString(),
      blockTimeMs: SLOT_MS,
    },
    qosRewards: {
      relayDeposit: (100n * TOKEN).toString(),
      // Half the stakers' era payout again for relays, by quality of service.
      eraIssuance: (10n * TOKEN).toString(),
      maxReceiptsPerReport: 256,
    },
    template: { something: null },
    // A root origin for development: //Alice may dispatch any call as root.
    // A chain spec without this section has no sudo key and no root origin.
    sudo: { key: address("//Alice") },
  };
}

/** The `dev` chain spec: one validator, Alice. */
export function devSpec(): ChainSpec {
  return {
    name: "Development",
    id: "dev",
    chainType: "Development",
    bootNodes: [],
    properties: { ...PROPERTIES },
    relay: { ...RELAY },
    genesis: { runtime: runtimeGenesis(["Alice"]) },
  };
}

/** The `local` chain spec: four validators, Alice, Bob, Charlie and Dave. */
export function localSpec(): ChainSpec {
  return {
    name: "Local Testnet",
    id: "local_testnet",
    chainType: "Local",
    bootNodes: [],
    properties: { ...PROPERTIES },
    relay: { ...RELAY },
    genesis: { runtime: runtimeGenesis(["Alice", "Bob", "Charlie", "Dave"]) },
  };
}
