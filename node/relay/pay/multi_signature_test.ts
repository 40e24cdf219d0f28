/**
 * Accounts of any key scheme pay and relay, on a real dev chain and a real
 * LevelDB: an sr25519 viewer (polkadot.js Apps' default) pays an sr25519
 * relay with sr25519 vouchers, which the relay claims; vouchers by another
 * key or in the old bare ed25519 format are refused; and a relay whose
 * database holds vouchers from before MultiSignature still claims them.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { encode, t } from "../../../runtime/codec/types.ts";
import { keypairFromUri, signerFromUri } from "../../../runtime/crypto/mod.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { freeBalance, reservedBalance } from "../../../pallets/balances/mod.ts";
import { splitClaim, voucherPayload } from "../../../pallets/access/mod.ts";
import { channelToWire } from "../../../client/relay/pay_messages.ts";
import { channelKey } from "./voucher_book.ts";
import { openRelayDb } from "./records.ts";
import {
  alice,
  carry,
  liveStream,
  openChannel,
  openDesk,
  RecordingPort,
  startChain,
  TOKEN,
  until,
  voucher,
} from "./_testing.ts";

const PRICE = TOKEN / 1000n;
const srViewer = signerFromUri("//Dave", "sr25519");
const srRelay = signerFromUri("//Bob", "sr25519");

Deno.test("an sr25519 viewer pays an sr25519 relay with sr25519 vouchers; the relay claims and is paid", async () => {
  const chain = await startChain();
  try {
    const stream = await liveStream(chain, alice, PRICE);
    await carry(chain, srRelay, stream);
    const channel = await openChannel(chain, srViewer, stream, 100n * PRICE);
    const desk = await openDesk(chain, { signer: chain.signer(srRelay) });
    try {
      const port = new RecordingPort(stream, srViewer.account);
      const session = desk.session(port);
      const genesis = chain.client.genesisHash;
      for (const amount of [PRICE, 10n * PRICE]) {
        session.onMessage(voucher(srViewer, genesis, channel, amount, srRelay.account));
      }
      await until("two acks", () => port.of("ack").length === 2);
      assertEquals(port.of("refused"), []);
      await session.close();
      await until("the claim in the pool", () => chain.pool.status().ready === 1);

      const before = chain.state();
      const events = await chain.block();
      const after = chain.state();
      const split = splitClaim(10n * PRICE, 800_000_000n, 150_000_000n, true);
      const claim = events.find((e) => e.name === "Claimed")!.data;
      assertEquals(claim.relay, srRelay.account);
      assertEquals(claim.relayAmount, split.relay);
      const fee = events.find((e) => e.name === "TransactionFeePaid")!.data;
      assertEquals(fee.who, srRelay.account, "the sr25519 relay signed and paid for its claim");
      const delta = (f: typeof freeBalance, who: Uint8Array) => f(after, who) - f(before, who);
      assertEquals(delta(freeBalance, srRelay.account), split.relay - (fee.actualFee as bigint));
      assertEquals(delta(reservedBalance, srViewer.account), -10n * PRICE);
      assertEquals(await desk.claimAll(), 0, "nothing is left to claim");
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("attack: vouchers by the viewer's URI in another scheme, or bare ed25519 ones, are refused", async () => {
  const chain = await startChain();
  try {
    const stream = await liveStream(chain, alice, PRICE);
    const channel = await openChannel(chain, srViewer, stream, 100n * PRICE);
    const desk = await openDesk(chain);
    try {
      const port = new RecordingPort(stream, srViewer.account);
      const session = desk.session(port);
      const genesis = chain.client.genesisHash;
      // The relay has no account: vouchers name no payee (NO_PAYEE, 32 zero bytes).
      const payee = new Uint8Array(32);
      for (const other of [keypairFromUri("//Dave"), signerFromUri("//Dave", "ecdsa")]) {
        session.onMessage(voucher(other, genesis, channel, PRICE, payee));
      }
      const bare = keypairFromUri("//Dave").sign(voucherPayload(genesis, channel, payee, PRICE));
      session.onMessage(JSON.stringify({
        type: "voucher",
        channel: channelToWire(channel),
        amount: PRICE.toString(),
        signature: toHex(bare),
      }));
      await until("three refusals", () => port.of("refused").length === 3);
      const reasons = port.of("refused").map((r) => r.reason);
      ok(reasons[0].includes("bad signature") && reasons[1].includes("bad signature"), reasons[0]);
      ok(reasons[2].includes("bare ed25519 signature"), reasons[2]);
      assertEquals(port.of("ack"), []);
      assertEquals([...desk.vouchersFor(stream)], [], "nothing is held");
      await session.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a relay whose database holds vouchers from before MultiSignature still claims them", async () => {
  const chain = await startChain();
  try {
    const bob = keypairFromUri("//Bob");
    const dave = keypairFromUri("//Dave");
    const stream = await liveStream(chain, alice, PRICE);
    await carry(chain, bob, stream);
    const channel = await openChannel(chain, dave, stream, 100n * PRICE);
    // What an older relay acknowledged: a bare ed25519 signature in sub-level `vouchers`.
    const amount = 7n * PRICE;
    const signature = dave.sign(
      voucherPayload(chain.client.genesisHash, channel, bob.publicKey, amount),
    );
    const legacy = t.struct("StoredVoucher", {
      stream: t.u64,
      amount: t.u128,
      signature: t.signature,
      claimed: t.u128,
    });
    const db = await openRelayDb(`${chain.dir}/relay`);
    const old = db.sublevel<Uint8Array, Uint8Array>("vouchers", {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await old.put(channelKey(channel), encode(legacy, { stream, amount, signature, claimed: 0n }));
    await db.close();

    const desk = await openDesk(chain, { signer: chain.signer(bob) });
    try {
      assertEquals(
        [...desk.vouchersFor(stream)].map((
          [, v],
        ) => [v.signature.type, toHex(v.signature.signature)]),
        [["Ed25519", toHex(signature)]],
      );
      assertEquals(chain.pool.status().ready, 1, "claimed on opening");
      const events = await chain.block();
      assertEquals(events.find((e) => e.name === "Claimed")!.data.amount, amount);
    } finally {
      await desk.close();
    }
    const reopened = await openRelayDb(`${chain.dir}/relay`);
    try {
      const left = await reopened.sublevel("vouchers").keys().all();
      assertEquals(left, [], "the old sub-level is emptied");
    } finally {
      await reopened.close();
    }
  } finally {
    await chain.close();
  }
});
