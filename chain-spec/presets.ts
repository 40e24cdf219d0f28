/**
 * The built-in chains: `dev` (one validator, Alice) and `local` (Alice, Bob,
 * Charlie and Dave), with //Alice..//Ferdie and their //stash accounts
 * funded. `dev.json` and `local.json` are these presets written out by
 * `build-spec`; a test keeps them in step.
 *
 * @module
 */
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { POT_ACCOUNT } from "../pallets/qos-rewards/relays.ts";
import type { ChainSpec } from "./spec.ts";

/** One token: 12 decimals. */
export const TOKEN = 10n ** 12n;

/** Dev account names, in Substrate's order. */
export const DEV_NAMES = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"] as const;

const address = (uri: string) => ss58Encode(keypairFromUri(uri).publicKey, 42);

/** Runtime genesis of a chain whose validators are the named dev accounts. */
export function runtimeGenesis(validators: readonly string[]): Record<string, unknown> {
  const endowed = DEV_NAMES.flatMap((n) => [address(`//${n}`), address(`//${n}//stash`)]);
  const existentialDeposit = TOKEN / 1000n;
  return {
    system: {},
    timestamp: { minimumPeriodMs: 3000 },
    authorship: {
      authorities: validators.map((n) => address(`//${n}`)),
      slotDurationMs: 6000,
    },
    balances: {
      existentialDeposit: existentialDeposit.toString(),
      balances: [
        ...endowed.map((a) => [a, (1_000_000n * TOKEN).toString()]),
        [toHex(POT_ACCOUNT), existentialDeposit.toString()],
      ],
    },
    transactionPayment: {
      baseFee: (TOKEN / 1000n).toString(),
      lengthFee: (TOKEN / 1_000_000n).toString(),
      weightFee: (TOKEN / 1_000_000n).toString(),
      authorSharePercent: 80,
    },
  };
}

/** The `dev` chain spec: one validator, Alice. */
export function devSpec(): ChainSpec {
  return {
    name: "Development",
    id: "dev",
    chainType: "Development",
    bootNodes: [],
    properties: { ss58Format: 42, tokenSymbol: "STREAM", tokenDecimals: 12 },
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
    properties: { ss58Format: 42, tokenSymbol: "STREAM", tokenDecimals: 12 },
    genesis: { runtime: runtimeGenesis(["Alice", "Bob", "Charlie", "Dave"]) },
  };
}
