/**
 * The balances tests' helpers: the dev chain (existential deposit of a
 * thousandth of a token), fresh accounts, and direct access to the helpers
 * other pallets call.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Keypair, keypairFromUri } from "../../runtime/crypto/mod.ts";
import { ModuleError } from "../../runtime/pallet/errors.ts";
import type { DispatchContext } from "../../runtime/pallet/pallet.ts";
import { TestExt } from "../../runtime/testing/mod.ts";
import { account, systemStorage } from "../system/mod.ts";
import { totalIssuance } from "./mod.ts";

/** One token: 12 decimals. */
export const TOKEN = 10n ** 12n;

/** The dev chain's existential deposit. */
export const ED = TOKEN / 1000n;

/** What each dev account holds at genesis. */
export const ENDOWMENT = 1_000_000n * TOKEN;

/** An account no genesis knows of (a keypair, so that it can sign). */
export function fresh(name: string): Keypair {
  return keypairFromUri(`//Balances//${name}`);
}

/** `{ tag: "Id", value }` for a keypair. */
export function id(who: Keypair): { tag: "Id"; value: Uint8Array } {
  return { tag: "Id", value: who.publicKey };
}

/** Free balance. */
export function free(ext: TestExt, who: Keypair): bigint {
  return account(ext.state, who.publicKey).data.free;
}

/** Reserved balance. */
export function reserved(ext: TestExt, who: Keypair): bigint {
  return account(ext.state, who.publicKey).data.reserved;
}

/** Whether `who` has an account record. */
export function exists(ext: TestExt, who: Keypair): boolean {
  return systemStorage.Account.contains(ext.state, who.publicKey);
}

/** Sets `who`'s free balance by root, as `forceSetBalance` does. */
export function fund(ext: TestExt, who: Keypair, amount: bigint): void {
  const r = ext.apply("Balances", "forceSetBalance", { who: id(who), newFree: amount }, "root");
  assert.ok(r.ok, !r.ok ? r.error : "");
}

/** Runs `fn` with a dispatch context in a storage transaction, as a calling pallet would. */
export function run<T>(ext: TestExt, fn: (ctx: DispatchContext) => T): T {
  const ctx = ext.executive.context(ext.state, () => ({ tag: "ApplyExtrinsic", value: 0 }));
  return ext.state.transaction(() => fn(ctx));
}

/** Asserts that `fn` fails with `error` (`"Pallet.Error"`) AND leaves storage as it was. */
export function runNoop(
  ext: TestExt,
  fn: (ctx: DispatchContext) => unknown,
  error: string,
): void {
  const before = ext.snapshot();
  assert.throws(
    () => run(ext, fn),
    (e) => e instanceof ModuleError && `${e.pallet}.${e.error}` === error,
  );
  assert.deepEqual(ext.snapshot(), before);
}

/** The events of the open block from index `from` on, as `"Pallet.Name"`. */
export function eventNames(ext: TestExt, from = 0): string[] {
  return ext.events().slice(from).map((e) => `${e.pallet}.${e.name}`);
}

/** The sum of every account's free and reserved balance. */
export function sumOfAccounts(ext: TestExt): bigint {
  let sum = 0n;
  // Blake2_128Concat: the account id is the key's last 32 bytes.
  for (const [key] of ext.state.entries(systemStorage.Account.prefix)) {
    const { data } = account(ext.state, key.slice(-32));
    sum += data.free + data.reserved;
  }
  return sum;
}

/** Total issuance of the open block. */
export function issuance(ext: TestExt): bigint {
  return totalIssuance(ext.state);
}
