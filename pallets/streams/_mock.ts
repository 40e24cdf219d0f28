/**
 * The streams pallet's mock runtime, as FRAME's `mock.rs`: System, Balances
 * (deposits are reserved from creators) and Streams, the dev accounts
 * endowed. QoS rewards, which registers relays, is not in it: a test stands
 * in for it by writing its relay registry directly ({@link registerRelay}),
 * since Streams reads that registry rather than asking the pallet.
 *
 * @module
 */
import { toHex } from "../../runtime/primitives/hex.ts";
import { dev, mockRuntime, TestExternalities } from "../../runtime/testing/mod.ts";
import { balances } from "../balances/mod.ts";
import { relayStorage } from "../qos-rewards/relays.ts";
import { system, systemApi } from "../system/mod.ts";
import { streams } from "./mod.ts";

/** One token: 12 decimals. */
export const TOKEN = 10n ** 12n;

/** What each dev account holds at genesis. */
export const ENDOWMENT = 1_000_000n * TOKEN;

/** System at index 0, Balances at 1, Streams at 2. */
export const runtime = mockRuntime({ pallets: [system, balances, streams], system: systemApi });

/** A fresh chain of the mock runtime with //Alice..//Ferdie endowed (FRAME's `new_test_ext()`). */
export function newTestExt(): TestExternalities {
  const endowed = [dev.alice, dev.bob, dev.charlie, dev.dave, dev.eve, dev.ferdie]
    .map((who) => [toHex(who.publicKey), ENDOWMENT.toString()]);
  return new TestExternalities(runtime, {
    balances: { existentialDeposit: (TOKEN / 1000n).toString(), balances: endowed },
  });
}

/** Registers `who` as a relay, standing in for QoS rewards' `registerRelay`. */
export function registerRelay(ext: TestExternalities, who: Uint8Array): void {
  relayStorage.Relays.set(ext.state, who, {
    deposit: 0n,
    registeredAt: ext.blockNumber,
    endpoint: new Uint8Array(),
  });
}

/** Takes `who` off the relay registry, standing in for QoS rewards' `deregisterRelay`. */
export function deregisterRelay(ext: TestExternalities, who: Uint8Array): void {
  relayStorage.Relays.remove(ext.state, who);
}
