/**
 * One channel, one meter, as an attacker would try it on a real dev chain:
 * a second session riding on another's vouchers, and reconnecting after a
 * cut-off for a fresh grace, before and after a relay restart.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  alice,
  dave,
  liveStream,
  openChannel,
  openDesk,
  RecordingPort,
  startChain,
  TOKEN,
  until,
  voucher,
} from "./_testing.ts";
import { NO_PAYEE } from "../../../client/relay/pay_messages.ts";

const PRICE = TOKEN / 1000n;
const GRACE = 3;

const second = () => new Promise((resolve) => setTimeout(resolve, 1000));

Deno.test("a second session on a paid channel owes its own seconds: riding on the first one's vouchers gets both cut off", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const channel = await openChannel(chain, dave, stream, 1_000n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const paying = new RecordingPort(stream, dave.publicKey);
      const riding = new RecordingPort(stream, dave.publicKey);
      const sessions = [desk.session(paying), desk.session(riding)];
      for (const session of sessions) session.start();
      // Vouchers for one session's seconds, one ahead, as one viewer would send.
      for (let s = 1; s <= GRACE * 2 + 3 && riding.cutOffs.length === 0; s++) {
        sessions[0].onMessage(voucher(dave, genesis, channel, BigInt(s) * PRICE, NO_PAYEE));
        await second();
      }
      await until("the rider's cut-off", () => riding.cutOffs.length > 0, 5_000);
      await until("the payer's cut-off", () => paying.cutOffs.length > 0, 5_000);
      ok(riding.cutOffs[0].includes("owed"), riding.cutOffs[0]);
      await Promise.all(sessions.map((s) => s.close()));
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("two sessions whose vouchers cover both of their seconds go on", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const channel = await openChannel(chain, dave, stream, 1_000n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const ports = [
        new RecordingPort(stream, dave.publicKey),
        new RecordingPort(stream, dave.publicKey),
      ];
      const sessions = ports.map((port) => desk.session(port));
      for (const session of sessions) session.start();
      for (let s = 1; s <= GRACE * 2 + 2; s++) {
        sessions[s % 2].onMessage(
          voucher(dave, genesis, channel, 2n * BigInt(s + 1) * PRICE, NO_PAYEE),
        );
        await second();
      }
      for (const port of ports) assertEquals(port.cutOffs, []);
      const owed = BigInt(ports[1].of("ack").at(-1)!.owed);
      ok(owed >= 2n * BigInt(GRACE * 2) * PRICE, `owed ${owed}: both sessions' seconds`);
      await Promise.all(sessions.map((s) => s.close()));
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("reconnecting after a cut-off brings the debt back, also after a relay restart: no fresh grace", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const channel = await openChannel(chain, dave, stream, 1_000n * PRICE);
    let desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const first = new RecordingPort(stream, dave.publicKey);
      const session = desk.session(first);
      session.start();
      await until("the first cut-off", () => first.cutOffs.length > 0, (GRACE + 3) * 1000);
      await session.close();

      // The same viewer comes back at once, and again after the relay restarted.
      for (const restart of [false, true]) {
        if (restart) {
          await desk.close();
          desk = await openDesk(chain, { graceSeconds: GRACE });
        }
        const again = new RecordingPort(stream, dave.publicKey);
        const retry = desk.session(again);
        const owed = BigInt(again.of("session")[0].owed ?? "0");
        ok(owed >= BigInt(GRACE) * PRICE, `the session says ${owed} is owed (restart: ${restart})`);
        retry.start();
        await until("the cut-off on return", () => again.cutOffs.length > 0, 5_000);
        // Cut at once for the old debt: no warning, no grace.
        assertEquals(again.sent.map((m) => m.type), ["session", "cutoff"]);
        await retry.close();
      }

      // Paying the debt lets the viewer back in.
      const paid = new RecordingPort(stream, dave.publicKey);
      const back = desk.session(paid);
      const owed = BigInt(paid.of("session")[0].owed!);
      back.onMessage(voucher(dave, genesis, channel, owed + 2n * PRICE, NO_PAYEE));
      await until("the ack", () => paid.of("ack").length > 0);
      back.start();
      await second();
      assertEquals(paid.cutOffs, []);
      await back.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});
