/**
 * Benchmarks of the balances pallet's calls, each in its worst case: a
 * transfer creates the recipient's account and, where allowed, reaps the
 * sender (burning its dust); `forceSetBalance` creates an account.
 * `forceTransfer` and `transferAll` are priced as `transferAllowDeath`,
 * `forceUnreserve` as `forceSetBalance`: the weight is the worst of them.
 *
 * @module
 */
import {
  account,
  defineBenchmarks,
  ensure,
  fund,
  hasEvent,
} from "../../runtime/benchmarking/mod.ts";
import type { TestExt } from "../../runtime/testing/mod.ts";
import { existentialDeposit, freeBalance, reserve, reservedBalance } from "./mod.ts";

const TOKEN = 10n ** 12n;
const FUNDS = 1_000n * TOKEN;
const caller = account("caller", 0).publicKey;
const recipient = account("recipient", 0).publicKey;
const id = (who: Uint8Array) => ({ tag: "Id", value: who });

/** The caller funded with {@link FUNDS}; returns what to send so that less than the ED is left. */
function reapable(ext: TestExt): bigint {
  fund(ext, caller, FUNDS);
  return FUNDS - existentialDeposit(ext.state) / 2n;
}

/** The recipient was created and the caller reaped. */
function createdAndReaped(ext: TestExt): void {
  ensure(freeBalance(ext.state, recipient) > 0n, "the recipient got nothing");
  ensure(hasEvent(ext, "System", "KilledAccount"), "the sender was not reaped");
}

/** The balances pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Balances",
  benchmarks: {
    transferAllowDeath: {
      docs: "Creates the recipient and reaps the sender (also `forceTransfer`, `transferAll`).",
      setup: (ext) => ({
        call: "transferAllowDeath",
        origin: caller,
        args: { dest: id(recipient), value: reapable(ext) },
      }),
      verify: createdAndReaped,
    },
    forceTransfer: {
      weight: "transferAllowDeath",
      setup: (ext) => ({
        call: "forceTransfer",
        origin: "root",
        args: { source: id(caller), dest: id(recipient), value: reapable(ext) },
      }),
      verify: createdAndReaped,
    },
    transferAll: {
      weight: "transferAllowDeath",
      setup(ext) {
        reapable(ext);
        return {
          call: "transferAll",
          origin: caller,
          args: { dest: id(recipient), keepAlive: false },
        };
      },
      verify: createdAndReaped,
    },
    transferKeepAlive: {
      docs: "Creates the recipient.",
      setup(ext) {
        fund(ext, caller, FUNDS);
        return {
          call: "transferKeepAlive",
          origin: caller,
          args: { dest: id(recipient), value: FUNDS / 2n },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "System", "NewAccount"), "no account was created"),
    },
    forceSetBalance: {
      docs: "Creates the account (also `forceUnreserve`).",
      setup: () => ({
        call: "forceSetBalance",
        origin: "root",
        args: { who: id(recipient), newFree: FUNDS },
      }),
      verify: (ext) => ensure(freeBalance(ext.state, recipient) === FUNDS, "not set"),
    },
    forceUnreserve: {
      weight: "forceSetBalance",
      setup(ext) {
        fund(ext, caller, FUNDS);
        reserve(ext.executive.context(ext.state, () => ({ tag: "Initialization" })), caller, TOKEN);
        return { call: "forceUnreserve", origin: "root", args: { who: id(caller), amount: TOKEN } };
      },
      verify: (ext) => ensure(reservedBalance(ext.state, caller) === 0n, "still reserved"),
    },
  },
});
