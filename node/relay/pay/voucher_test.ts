/**
 * Vouchers at the desk, on a real dev chain and a real LevelDB: a good one is
 * acknowledged only once stored and survives a reopened database; every bad
 * one is refused with its reason and changes nothing.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { ss58Encode } from "../../../runtime/crypto/mod.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import {
  alice,
  bob,
  charlie,
  dave,
  liveStream,
  openChannel,
  openDesk,
  RecordingPort,
  startChain,
  type TestChain,
  TOKEN,
  until,
  voucher,
} from "./_testing.ts";
import type { RelayMessage } from "../../../client/relay/pay_messages.ts";
import type { PaymentDesk } from "./mod.ts";

const PRICE = TOKEN / 1000n;
const DEPOSIT = 100n * PRICE;

function openBobsDesk(chain: TestChain) {
  return openDesk(chain, {
    signer: chain.signer(bob),
    graceSeconds: 2,
    claimIntervalMs: 3_600_000,
  });
}

/** Sends `text` and waits for the desk's answer. */
async function answer(
  session: { onMessage(text: string): void },
  port: RecordingPort,
  text: string,
): Promise<RelayMessage> {
  const before = port.sent.length;
  session.onMessage(text);
  await until("the desk's answer", () => port.sent.length > before);
  return port.sent[before];
}

/** The `paid` baseline a fresh session of `viewer` is told: what the desk holds. */
function heldFor(desk: PaymentDesk, stream: bigint, viewer: Uint8Array): string | undefined {
  const port = new RecordingPort(stream, viewer);
  void desk.session(port).close();
  return port.of("session")[0].paid;
}

Deno.test("a good voucher is acknowledged, and a reopened desk still holds it", async () => {
  const chain = await startChain();
  try {
    const stream = await liveStream(chain, alice, PRICE);
    const channel = await openChannel(chain, dave, stream, DEPOSIT);
    let desk = await openBobsDesk(chain);
    const port = new RecordingPort(stream, dave.publicKey);
    const session = desk.session(port);
    assertEquals(port.sent, [{
      type: "session",
      stream: Number(stream),
      price: PRICE.toString(),
      graceSeconds: 2,
      channel: `0x${channel.toString(16)}`,
      relay: ss58Encode(bob.publicKey),
      era: 0,
      genesis: toHex(chain.client.genesisHash),
      paid: "0",
      owed: "0",
    }]);
    session.start();
    const ack = await answer(
      session,
      port,
      voucher(dave, chain.client.genesisHash, channel, PRICE, bob.publicKey),
    );
    // Owed counts by the millisecond: well under a second's price so far.
    ok(ack.type === "ack" && BigInt(ack.owed) < PRICE, JSON.stringify(ack));
    assertEquals({ ...ack, seconds: 0, owed: "0" }, {
      type: "ack",
      channel: `0x${channel.toString(16)}`,
      amount: PRICE.toString(),
      owed: "0",
      seconds: 0,
      depositLeft: (DEPOSIT - PRICE).toString(),
      era: 0,
    });
    await session.close();
    await desk.close();

    desk = await openBobsDesk(chain);
    try {
      assertEquals(heldFor(desk, stream, dave.publicKey), PRICE.toString());
      const again = new RecordingPort(stream, dave.publicKey);
      const replayed = await answer(
        desk.session(again),
        again,
        voucher(dave, chain.client.genesisHash, channel, PRICE, bob.publicKey),
      );
      assertEquals(replayed.type, "refused");
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("forged, replayed, stale, oversized, foreign and malformed vouchers are refused and change nothing", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const other = await liveStream(chain, alice, PRICE);
    const channel = await openChannel(chain, dave, stream, DEPOSIT);
    const otherStream = await openChannel(chain, dave, other, DEPOSIT);
    const charlies = await openChannel(chain, charlie, stream, DEPOSIT);
    let desk = await openBobsDesk(chain);
    const port = new RecordingPort(stream, dave.publicKey);
    const session = desk.session(port);
    session.start();
    assertEquals(
      (await answer(session, port, voucher(dave, genesis, channel, 2n * PRICE, bob.publicKey)))
        .type,
      "ack",
    );

    const forOtherChannel = JSON.parse(
      voucher(dave, genesis, otherStream, 3n * PRICE, bob.publicKey),
    );
    const otherGenesis = new Uint8Array(32).fill(7);
    const cases: [string, string, string][] = [
      ["forged", voucher(charlie, genesis, channel, 3n * PRICE, bob.publicKey), "bad signature"],
      // Signed for another relay's lane: this relay could never claim it.
      [
        "for another payee",
        voucher(dave, genesis, channel, 3n * PRICE, alice.publicKey),
        "bad signature",
      ],
      [
        "replayed from another channel",
        JSON.stringify({ ...forOtherChannel, channel: `0x${channel.toString(16)}` }),
        "bad signature",
      ],
      [
        "another genesis",
        voucher(dave, otherGenesis, channel, 3n * PRICE, bob.publicKey),
        "bad signature",
      ],
      [
        "the same amount",
        voucher(dave, genesis, channel, 2n * PRICE, bob.publicKey),
        "is not above",
      ],
      ["a lower amount", voucher(dave, genesis, channel, PRICE, bob.publicKey), "is not above"],
      [
        "over the deposit",
        voucher(dave, genesis, channel, DEPOSIT + 1n, bob.publicKey),
        "exceeds the channel",
      ],
      [
        "another stream's channel",
        voucher(dave, genesis, otherStream, PRICE, bob.publicKey),
        "pays for stream",
      ],
      [
        "another viewer's channel",
        voucher(charlie, genesis, charlies, PRICE, bob.publicKey),
        "not this viewer",
      ],
      ["no such channel", voucher(dave, genesis, 99n, PRICE, bob.publicKey), "no open channel"],
      ["not JSON", "{voucher", "malformed message: not JSON"],
      [
        "a bad amount",
        JSON.stringify({ ...forOtherChannel, amount: "-5" }),
        "malformed message: amount",
      ],
      [
        "an unknown type",
        JSON.stringify({ type: "tip", signature: "0x00" + "00".repeat(64) }),
        "unknown",
      ],
    ];
    for (const [what, text, reason] of cases) {
      const reply = await answer(session, port, text);
      ok(reply.type === "refused", `${what}: ${JSON.stringify(reply)}`);
      ok(reply.reason.includes(reason), `${what}: "${reply.reason}" lacks "${reason}"`);
    }
    assertEquals(port.of("ack").length, 1);

    // Dave's voucher on a session of Charlie's: the channel is not the session viewer's.
    const charliePort = new RecordingPort(stream, charlie.publicKey);
    const charlieSession = desk.session(charliePort);
    const stolen = await answer(
      charlieSession,
      charliePort,
      voucher(dave, genesis, channel, 3n * PRICE, bob.publicKey),
    );
    ok(stolen.type === "refused" && stolen.reason.includes("not this viewer"), stolen.type);

    assertEquals(heldFor(desk, stream, dave.publicKey), (2n * PRICE).toString());
    assertEquals(heldFor(desk, stream, charlie.publicKey), "0");
    await desk.close();
    desk = await openBobsDesk(chain);
    assertEquals(heldFor(desk, stream, dave.publicKey), (2n * PRICE).toString());
    await desk.close();
  } finally {
    await chain.close();
  }
});
