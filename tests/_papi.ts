/**
 * polkadot-api in tests: a transfer through its unsafe API, as a dapp
 * sends one, checked to have succeeded.
 *
 * @module
 */
import { ok } from "node:assert/strict";
import type { createClient, PolkadotSigner } from "polkadot-api";

/** polkadot-api's untyped API of a client. */
export type UnsafeApi = ReturnType<ReturnType<typeof createClient>["getUnsafeApi"]>;

/**
 * Transfers `value` to `dest` (SS58) with `Balances.transfer_keep_alive`,
 * signed by `signer`, and waits for finality.
 *
 * @returns the events' names (`Pallet.Event`)
 * @throws {AssertionError} when the dispatch failed
 */
export async function papiTransfer(
  api: UnsafeApi,
  signer: PolkadotSigner,
  dest: string,
  value: bigint,
): Promise<string[]> {
  const outcome = await api.tx.Balances.transfer_keep_alive({
    dest: { type: "Id", value: dest },
    value,
  }).signAndSubmit(signer);
  ok(outcome.ok, JSON.stringify(outcome.dispatchError));
  return outcome.events.map((e: { type: string; value: { type: string } }) =>
    `${e.type}.${e.value.type}`
  );
}
