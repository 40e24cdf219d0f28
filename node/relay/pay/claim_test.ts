/**
 * Claims on a real dev chain: a session's voucher is claimed when it closes
 * and the access pallet splits it between creator, relay and pot; a claim is
 * not submitted twice while in the pool; later vouchers go out with the
 * periodic round; a restarted relay claims what it acknowledged before.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { EventRecord } from "../../../runtime/executive/runtime.ts";
import { freeBalance, reservedBalance } from "../../../pallets/balances/mod.ts";
import { getChannel, splitClaim } from "../../../pallets/access/mod.ts";
import { POT_ACCOUNT } from "../../../pallets/qos-rewards/mod.ts";
import type { LocalSigner } from "../../pool/local_signer.ts";
import {
  bob,
  carry,
  charlie,
  dave,
  liveStream,
  openChannel,
  RecordingPort,
  startChain,
  type TestChain,
  testLogger,
  TOKEN,
  until,
  voucher,
} from "./_testing.ts";
import { PaymentDesk } from "./mod.ts";

const PRICE = TOKEN / 1000n;

function openDesk(chain: TestChain, signer?: LocalSigner, claimIntervalMs = 3_600_000) {
  const log = testLogger();
  const desk = PaymentDesk.open({
    client: chain.client,
    path: `${chain.dir}/relay`,
    signer,
    log,
    graceSeconds: 5,
    claimIntervalMs,
  });
  return desk.then((d) => ({ desk: d, log }));
}

/** Acknowledged vouchers of `amounts`, on a new session of Dave's that is left open. */
async function pay(
  desk: PaymentDesk,
  chain: TestChain,
  stream: bigint,
  channel: bigint,
  amounts: bigint[],
) {
  const port = new RecordingPort(stream, dave.publicKey);
  const session = desk.session(port);
  for (const amount of amounts) {
    session.onMessage(voucher(dave, chain.client.genesisHash, channel, amount, bob.publicKey));
  }
  await until("the acks", () => port.of("ack").length === amounts.length);
  return session;
}

function claimed(events: EventRecord[]) {
  return events.filter((e) => e.pallet === "Access" && e.name === "Claimed").map((e) => e.data);
}

Deno.test("a closed session's voucher is claimed once, and the access pallet splits it", async () => {
  const chain = await startChain();
  try {
    // Charlie creates, Bob's relay carries, Dave watches; Alice only authors.
    const stream = await liveStream(chain, charlie, PRICE);
    await carry(chain, bob, stream);
    const channel = await openChannel(chain, dave, stream, 100n * PRICE);
    const { desk } = await openDesk(chain, chain.signer(bob), 300);
    try {
      const session = await pay(desk, chain, stream, channel, [PRICE, 10n * PRICE]);
      await session.close();
      assertEquals(chain.pool.status().ready, 1);
      assertEquals(await desk.claimAll(), 0, "a claim in the pool is not submitted again");
      assertEquals(chain.pool.status().ready, 1);

      const before = chain.state();
      const events = await chain.block();
      const after = chain.state();
      const split = splitClaim(10n * PRICE, 800_000_000n, 150_000_000n, true);
      assertEquals(claimed(events), [{
        channel,
        amount: 10n * PRICE,
        creator: charlie.publicKey,
        creatorAmount: split.creator,
        relay: bob.publicKey,
        relayAmount: split.relay,
        potAmount: split.pot,
      }]);
      const fee = events.find((e) => e.name === "TransactionFeePaid")!.data.actualFee as bigint;
      const delta = (f: typeof freeBalance, who: Uint8Array) => f(after, who) - f(before, who);
      assertEquals(delta(freeBalance, charlie.publicKey), split.creator);
      assertEquals(delta(freeBalance, bob.publicKey), split.relay - fee);
      assertEquals(delta(reservedBalance, dave.publicKey), -10n * PRICE);
      ok(delta(freeBalance, POT_ACCOUNT) >= split.pot);
      assertEquals(getChannel(after, channel)!.claimed, 10n * PRICE);
      assertEquals(await desk.claimAll(), 0, "nothing is left to claim");

      // A later voucher goes out with the periodic round.
      const later = await pay(desk, chain, stream, channel, [12n * PRICE]);
      await until("the periodic claim", () => chain.pool.status().ready === 1, 3_000);
      assertEquals(claimed(await chain.block()).map((c) => c.amount), [2n * PRICE]);
      await later.close();
      assertEquals(chain.pool.status().ready, 0);
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a restarted relay claims the vouchers it acknowledged before", async () => {
  const chain = await startChain();
  try {
    const stream = await liveStream(chain, charlie, PRICE);
    const channel = await openChannel(chain, dave, stream, 100n * PRICE);
    // First run before Bob carries the stream: vouchers are kept, nothing is claimed.
    const first = await openDesk(chain, chain.signer(bob));
    const session = await pay(first.desk, chain, stream, channel, [3n * PRICE, 7n * PRICE]);
    await session.close();
    await first.desk.close();
    assertEquals(chain.pool.status().ready, 0);
    ok(first.log.lines.some((l) => l.includes("not claimed")), first.log.lines.join("\n"));

    await carry(chain, bob, stream);
    const second = await openDesk(chain, chain.signer(bob));
    try {
      assertEquals(chain.pool.status().ready, 1);
      assertEquals(claimed(await chain.block()).map((c) => c.amount), [7n * PRICE]);
      assertEquals(await second.desk.claimAll(), 0);
    } finally {
      await second.desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a relay that neither created nor carries the stream submits no claim", async () => {
  const chain = await startChain();
  try {
    const stream = await liveStream(chain, charlie, PRICE);
    const channel = await openChannel(chain, dave, stream, 100n * PRICE);
    const { desk } = await openDesk(chain, chain.signer(bob));
    try {
      const session = await pay(desk, chain, stream, channel, [PRICE]);
      await session.close();
      assertEquals(chain.pool.status().ready, 0, "a claim that would fail costs a fee");
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});
