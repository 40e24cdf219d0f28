/**
 * QoS on a real dev chain with 40-block eras: receipts are checked and kept
 * across a restart; at half the era the relay claims the viewer's vouchers
 * and submits a report that the chain accepts (for paid seconds), scored with the loss and jitter it measured; at four fifths
 * only what grew since; a relay that is not registered submits nothing.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { type Keypair, type SigningKey, signMulti } from "../../../runtime/crypto/mod.ts";
import type { EventRecord } from "../../../runtime/executive/runtime.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { qualityPermill, receiptPayload, score } from "../../../pallets/qos-rewards/mod.ts";
import {
  alice,
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
} from "../pay/_testing.ts";
import { PaymentDesk } from "../pay/mod.ts";
import { signatureToWire } from "../../../client/relay/pay_messages.ts";

const PRICE = TOKEN / 1000n;
/** 40 blocks of 200 ms slots: the era lasts at least 4 s by half way, 6.4 s by four fifths. */
const ERA = 40;

function receipt(
  chain: TestChain,
  key: SigningKey,
  relay: Uint8Array,
  stream: bigint,
  r: { era: number; seconds: number; bytes: bigint },
): string {
  const signature = signMulti(
    key,
    receiptPayload({
      genesisHash: chain.client.genesisHash,
      relay,
      stream,
      ...r,
    }),
  );
  return JSON.stringify({
    type: "receipt",
    ...r,
    bytes: r.bytes.toString(),
    signature: signatureToWire(signature),
  });
}

function openDesk(chain: TestChain, relay: Keypair) {
  const log = testLogger();
  return PaymentDesk.open({
    client: chain.client,
    path: `${chain.dir}/relay-${toHex(relay.publicKey).slice(2, 10)}`,
    signer: chain.signer(relay),
    log,
    graceSeconds: 5,
  }).then((desk) => ({ desk, log }));
}

/** Authors blocks until one holds a `ReportAccepted` event, at most until the era ends. */
async function untilReportAccepted(chain: TestChain): Promise<EventRecord["data"]> {
  for (let i = 0; i < ERA; i++) {
    // The reporter acts on each new best block: give it a moment to submit.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const accepted = (await chain.block()).find((e) => e.name === "ReportAccepted");
    if (accepted) return accepted.data;
  }
  throw new Error("No report was accepted this era");
}

Deno.test("receipts are checked and kept; reports at half and four fifths of the era are accepted", async () => {
  const chain = await startChain(ERA);
  try {
    const stream = await liveStream(chain, alice, PRICE);
    await carry(chain, bob, stream);
    const channel = await openChannel(chain, dave, stream, 100n * PRICE);
    const send = (session: { onMessage(t: string): void }, text: string) => session.onMessage(text);

    let { desk } = await openDesk(chain, bob);
    const port = new RecordingPort(stream, dave.publicKey);
    const session = desk.session(port);
    session.start();
    port.counters.bytesSent = 40_000;
    port.counters.packetsSent = 100;
    port.counters.lossPermill = 1_000;
    port.counters.jitterMs = 5;
    ok(chain.client.best.header.number < ERA - 3, "the test starts early in era 0");
    const era = 0;
    const good = { era, seconds: 3, bytes: 40_000n };
    // The chain credits paid seconds only: Dave pays for 20 (the relay claims before reporting).
    send(session, voucher(dave, chain.client.genesisHash, channel, 20n * PRICE, bob.publicKey));
    send(session, receipt(chain, dave, bob.publicKey, stream, good));
    const refusals: [string, string, string][] = [
      ["forged", receipt(chain, charlie, bob.publicKey, stream, good), "bad signature"],
      [
        "for another relay",
        receipt(chain, dave, alice.publicKey, stream, { ...good, seconds: 6 }),
        "bad signature",
      ],
      [
        "for another stream",
        receipt(chain, dave, bob.publicKey, 99n, { ...good, seconds: 6 }),
        "bad signature",
      ],
      [
        "another era",
        receipt(chain, dave, bob.publicKey, stream, { ...good, era: era + 1 }),
        "not the current era",
      ],
      [
        "going back",
        receipt(chain, dave, bob.publicKey, stream, { ...good, seconds: 2 }),
        "goes back",
      ],
      ["repeated", receipt(chain, dave, bob.publicKey, stream, good), "repeats"],
    ];
    for (const [, text] of refusals) send(session, text);
    await until("every refusal", () => port.of("refused").length === refusals.length);
    refusals.forEach(([what, , reason], i) => {
      const refused = port.of("refused")[i];
      ok(
        refused.what === "receipt" && refused.reason.includes(reason),
        `${what}: ${refused.reason}`,
      );
    });
    // A session of the same viewer begun now is told the receipt held, to go on from it.
    const next = new RecordingPort(stream, dave.publicKey);
    const resumed = desk.session(next);
    assertEquals(next.of("session")[0].receipt, { seconds: 3, bytes: "40000" });
    await resumed.close();
    try {
      // At half the era: a report scored with the loss and jitter the relay measured.
      const first = await untilReportAccepted(chain);
      assertEquals(first.relay, bob.publicKey);
      assertEquals(first.stream, stream);
      assertEquals(first.verifiedSeconds, 3n);
      assertEquals(first.score, score(3n, qualityPermill(1_000, 5)));
      ok((chain.client.best.header.number % ERA) >= ERA / 2);
      send(
        session,
        receipt(chain, dave, bob.publicKey, stream, { ...good, seconds: 5, bytes: 70_000n }),
      );
      await session.close();
      assertEquals(port.of("refused").length, refusals.length);
    } finally {
      await desk.close();
    }

    // The grown receipt outlives a restart and is reported near the end: only the increase counts.
    while ((chain.client.best.header.number + 1) % ERA < (ERA * 4) / 5) await chain.block();
    ({ desk } = await openDesk(chain, bob));
    try {
      const second = await untilReportAccepted(chain);
      assertEquals(second.verifiedSeconds, 2n);
      ok((chain.client.best.header.number % ERA) >= (ERA * 4) / 5);
      assertEquals(await desk.qos.report(), 0, "nothing new to report");
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a relay that is not registered keeps receipts but submits no report", async () => {
  const chain = await startChain(ERA);
  try {
    const stream = await liveStream(chain, alice, PRICE);
    await openChannel(chain, dave, stream, 100n * PRICE);
    const { desk, log } = await openDesk(chain, charlie);
    try {
      const port = new RecordingPort(stream, dave.publicKey);
      const session = desk.session(port);
      session.onMessage(
        receipt(chain, dave, charlie.publicKey, stream, { era: 0, seconds: 3, bytes: 10n }),
      );
      await session.close();
      assertEquals(port.of("refused"), []);
      while (chain.client.best.header.number % ERA < ERA - 2) await chain.block();
      assertEquals(chain.pool.status().ready, 0);
      assertEquals(await desk.qos.report(), 0);
      ok(log.lines.some((l) => l.includes("Not a registered relay")), log.lines.join("\n"));
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});
