/**
 * Metering on a real dev chain: a viewer that stops paying is warned and cut
 * off within grace + 2 s of its last voucher while one that pays goes on;
 * a free stream, the creator and an allow-listed viewer owe nothing.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
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
  TOKEN,
  until,
  voucher,
} from "./_testing.ts";
import { NO_PAYEE } from "../../../client/relay/pay_messages.ts";

const PRICE = TOKEN / 1000n;
const GRACE = 2;

Deno.test("a viewer that stops paying is warned, then cut off within grace + 2 s of its last voucher", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const daves = await openChannel(chain, dave, stream, 100n * PRICE);
    const charlies = await openChannel(chain, charlie, stream, 100n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const quitter = new RecordingPort(stream, dave.publicKey);
      const payer = new RecordingPort(stream, charlie.publicKey);
      const quitting = desk.session(quitter);
      const paying = desk.session(payer);
      quitting.start();
      paying.start();
      // Both pay one second ahead, as the viewer client does; Dave stops after two seconds.
      let lastVoucherAt = 0;
      for (let second = 1; second <= 6; second++) {
        if (second <= 2) {
          quitting.onMessage(voucher(dave, genesis, daves, BigInt(second) * PRICE, NO_PAYEE));
          lastVoucherAt = Date.now();
        }
        paying.onMessage(voucher(charlie, genesis, charlies, BigInt(second) * PRICE, NO_PAYEE));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      await until("the cut-off", () => quitter.cutOffs.length > 0, (GRACE + 2) * 1000);
      const cutAfterMs = quitter.cutOffTimes[0] - lastVoucherAt;
      ok(cutAfterMs <= (GRACE + 2) * 1000, `cut off ${cutAfterMs} ms after the last voucher`);

      const warnings = quitter.of("warning");
      assertEquals(warnings.length, 1);
      ok(warnings[0].cutoffIn >= 0 && warnings[0].cutoffIn <= GRACE, `${warnings[0].cutoffIn}`);
      const types = quitter.sent.map((m) => m.type);
      ok(types.indexOf("warning") < types.indexOf("cutoff"), types.join());
      assertEquals(quitter.of("cutoff")[0].reason, quitter.cutOffs[0]);
      ok(quitter.cutOffs[0].includes("more than 2 s behind"), quitter.cutOffs[0]);

      assertEquals(payer.of("ack").length, 6);
      assertEquals(payer.of("warning").length + payer.of("cutoff").length, 0);
      assertEquals(payer.cutOffs, []);
      await quitting.close();
      await paying.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a free stream, the creator and an allow-listed viewer owe nothing; a payer without vouchers is cut off", async () => {
  const chain = await startChain();
  try {
    const free = await liveStream(chain, alice, 0n);
    const paid = await liveStream(chain, alice, PRICE);
    await chain.apply(alice, "Access", "grantAccess", {
      stream: paid,
      who: { tag: "Id", value: charlie.publicKey },
    });
    await openChannel(chain, bob, paid, 100n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const ports = {
        free: new RecordingPort(free, dave.publicKey),
        creator: new RecordingPort(paid, alice.publicKey),
        allowListed: new RecordingPort(paid, charlie.publicKey),
        silentPayer: new RecordingPort(paid, bob.publicKey),
      };
      const sessions = Object.values(ports).map((port) => desk.session(port));
      for (const session of sessions) session.start();
      assertEquals(ports.free.of("session")[0].price, "0");
      assertEquals(ports.free.of("session")[0].channel, null);

      await until("the silent payer's cut-off", () => ports.silentPayer.cutOffs.length > 0, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const name of ["free", "creator", "allowListed"] as const) {
        const port = ports[name];
        assertEquals(port.cutOffs, [], name);
        assertEquals(port.sent.map((m) => m.type), ["session"], name);
      }
      await Promise.all(sessions.map((s) => s.close()));
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});
