/**
 * Total issuance under random transfers: every call that moves balance
 * between accounts leaves issuance equal to the sum of all balances, and it
 * falls only by the dust burned when an account is reaped.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { ED, free, fresh, fund, id, issuance, sumOfAccounts } from "./_mock.ts";

/** Senders and receivers: two dev accounts, two small fresh accounts, one empty. */
const ACCOUNTS: Keypair[] = [dev.alice, dev.bob, fresh("A"), fresh("B"), fresh("C")];

type Op = {
  call: "transferAllowDeath" | "transferKeepAlive" | "transferAll" | "forceTransfer";
  from: number;
  to: number;
  /** Percent of the sender's free balance to send, plus `extra`: reaches the edges. */
  share: number;
  extra: bigint;
  keepAlive: boolean;
};

const op: fc.Arbitrary<Op> = fc.record({
  call: fc.constantFrom(
    "transferAllowDeath" as const,
    "transferKeepAlive" as const,
    "transferAll" as const,
    "forceTransfer" as const,
  ),
  from: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }),
  to: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }),
  share: fc.integer({ min: 0, max: 110 }),
  extra: fc.bigInt({ min: -ED, max: ED }),
  keepAlive: fc.boolean(),
});

function apply(ext: TestExt, o: Op): boolean {
  const from = ACCOUNTS[o.from];
  const dest = id(ACCOUNTS[o.to]);
  const value = free(ext, from) * BigInt(o.share) / 100n + o.extra;
  const amount = value < 0n ? 0n : value;
  switch (o.call) {
    case "transferAll":
      return ext.apply("Balances", o.call, { dest, keepAlive: o.keepAlive }, from).ok;
    case "forceTransfer":
      return ext.apply("Balances", o.call, { source: id(from), dest, value: amount }, "root").ok;
    default:
      return ext.apply("Balances", o.call, { dest, value: amount }, from).ok;
  }
}

Deno.test("property: transfers conserve total issuance but for the dust of reaped accounts", () => {
  // PERF: a chain from genesis costs ~0.3 s; every run starts from the same
  // one inside a storage transaction that is rolled back afterwards.
  const ext = new TestExt();
  fc.assert(
    fc.property(
      fc.bigInt({ min: ED / 2n, max: 5n * ED }),
      fc.bigInt({ min: ED / 2n, max: 5n * ED }),
      fc.array(op, { minLength: 1, maxLength: 15 }),
      (a, b, ops) => {
        ext.state.startTransaction();
        try {
          fund(ext, ACCOUNTS[2], a);
          fund(ext, ACCOUNTS[3], b);
          for (const o of ops) {
            const before = issuance(ext);
            const start = ext.events().length;
            const ok = apply(ext, o);
            const dust = ext.events().slice(start)
              .filter((e) => e.pallet === "Balances" && e.name === "DustLost")
              .reduce((sum, e) => sum + (e.data.amount as bigint), 0n);
            assert.ok(ok || dust === 0n, "a failed transfer burns nothing");
            assert.ok(dust < ED, "dust is less than the existential deposit");
            assert.equal(issuance(ext), before - dust);
            assert.equal(issuance(ext), sumOfAccounts(ext));
          }
        } finally {
          ext.state.rollbackTransaction();
        }
      },
    ),
    { numRuns: 200 },
  );
});
