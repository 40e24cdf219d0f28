/**
 * Relay pulls on a real dev chain, as an attacker would try them: a
 * registered relay pulling a paid stream with nobody paying it, backing it
 * with its own channel, with forged vouchers, or with vouchers it never
 * claims; and an honest relay whose viewers pay.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  alice,
  bob,
  carry,
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
import { UNCLAIMED_BACKING_SECONDS } from "./pull.ts";
import { signatureFromWire } from "../../../client/relay/pay_messages.ts";

const PRICE = TOKEN / 1000n;
const GRACE = 3;

/** `key`'s voucher to `payee` as a pulling relay forwards it. */
function backing(...args: Parameters<typeof voucher>): string {
  return JSON.stringify({ ...JSON.parse(voucher(...args)), type: "backing" });
}

Deno.test("attack: a registered relay pulls a paid stream nobody pays it for, and is cut off after twice the grace", async () => {
  const chain = await startChain();
  try {
    const stream = await liveStream(chain, alice, PRICE);
    await chain.apply(charlie, "QosRewards", "registerRelay", { endpoint: new Uint8Array([1]) });
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const port = new RecordingPort(stream, charlie.publicKey);
      const pull = desk.pull(port);
      pull.start();
      // On the meter a grace after media started (no backing came), cut a grace later.
      await until("the pull's cut-off", () => port.cutOffs.length > 0, (2 * GRACE + 3) * 1000);
      ok(port.cutOffs[0].includes("paying viewers back 0"), port.cutOffs[0]);
      await pull.close();

      // Pulling again brings the debt back: cut at once, no warning first.
      const again = new RecordingPort(stream, charlie.publicKey);
      const retry = desk.pull(again);
      retry.start();
      await until("the cut-off on return", () => again.cutOffs.length > 0, 5_000);
      assertEquals(again.sent.map((m) => m.type), ["session", "cutoff"]);
      await retry.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a pull backed by its viewers' growing vouchers goes on; its own, forged or misdirected ones do not back it", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const daves = await openChannel(chain, dave, stream, 1_000n * PRICE);
    const charlies = await openChannel(chain, charlie, stream, 1_000n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const port = new RecordingPort(stream, charlie.publicKey);
      const pull = desk.pull(port);
      pull.start();
      const refusals = () => port.of("refused").map((r) => r.reason);
      // The puller's own channel, signed to itself: no backing.
      pull.onMessage(backing(charlie, genesis, charlies, 5n * PRICE, charlie.publicKey));
      // Dave's voucher to another relay (Bob), and a forged one.
      pull.onMessage(backing(dave, genesis, daves, 5n * PRICE, bob.publicKey));
      pull.onMessage(backing(bob, genesis, daves, 5n * PRICE, charlie.publicKey));
      await until("three refusals", () => refusals().length === 3);
      ok(refusals()[0].includes("the relay's own"), refusals()[0]);
      ok(refusals()[1].includes("bad signature"), refusals()[1]);
      ok(refusals()[2].includes("bad signature"), refusals()[2]);

      // Dave pays Charlie a second ahead each second; Charlie forwards it.
      for (let s = 1; s <= GRACE * 2 + 2; s++) {
        pull.onMessage(backing(dave, genesis, daves, BigInt(s + 1) * PRICE, charlie.publicKey));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      assertEquals(port.cutOffs, []);
      assertEquals(port.of("refused").length, 3);
      await pull.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("attack: backing vouchers the puller never claims count for a minute of the stream at most", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    // A second account of the attacker signs a large voucher to the attacker's relay.
    const sock = await openChannel(chain, dave, stream, 1_000n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const port = new RecordingPort(stream, charlie.publicKey);
      const pull = desk.pull(port);
      pull.onMessage(backing(dave, genesis, sock, PRICE, charlie.publicKey));
      pull.onMessage(backing(dave, genesis, sock, 900n * PRICE, charlie.publicKey));
      await pull.close();
      const next = new RecordingPort(stream, charlie.publicKey);
      const again = desk.pull(next);
      const backed = BigInt(next.of("session")[0].paid!);
      assertEquals(backed, (UNCLAIMED_BACKING_SECONDS - 1n) * PRICE);
      await again.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("an honest pull that lingered after its viewer left leaves no debt: the next pull is not cut at once", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const daves = await openChannel(chain, dave, stream, 1_000n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const port = new RecordingPort(stream, charlie.publicKey);
      const pull = desk.pull(port);
      pull.start();
      for (let s = 1; s <= 3; s++) {
        pull.onMessage(backing(dave, genesis, daves, BigInt(s + 1) * PRICE, charlie.publicKey));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      // Dave left; the pull lingers, unbacked, until it is cut.
      await until(
        "the lingering pull's cut-off",
        () => port.cutOffs.length > 0,
        (GRACE + 3) * 1000,
      );
      await pull.close();

      const next = new RecordingPort(stream, charlie.publicKey);
      const again = desk.pull(next);
      const { paid, owed } = next.of("session")[0];
      ok(BigInt(owed!) <= BigInt(paid!), `owed ${owed}, backed ${paid}`);
      again.start();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assertEquals(next.cutOffs, []);
      await again.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("a pull whose viewer's first voucher comes after the grace is not cut for the wait", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    const daves = await openChannel(chain, dave, stream, 1_000n * PRICE);
    // The desk's clock is moved by hand; its ticks (every 250 ms) read it.
    let now = Date.now();
    const desk = await openDesk(chain, { graceSeconds: GRACE, now: () => now });
    const tick = () => new Promise((resolve) => setTimeout(resolve, 400));
    try {
      const port = new RecordingPort(stream, charlie.publicKey);
      const pull = desk.pull(port);
      pull.start();
      // A slow handshake: the first backing voucher just short of twice the grace.
      now += 2 * GRACE * 1000 - 100;
      await tick();
      assertEquals(port.cutOffs, [], "an unbacked pull is cut only twice the grace in");
      for (let s = 1; s <= GRACE + 2; s++) {
        pull.onMessage(backing(dave, genesis, daves, BigInt(s + 1) * PRICE, charlie.publicKey));
        now += 1000;
        await tick();
      }
      // Metered from the grace on, it would owe the wait and be cut on the first second.
      assertEquals(port.cutOffs, []);
      await pull.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});

Deno.test("vouchers the puller has already claimed on chain back its pull (it claims as it goes)", async () => {
  const chain = await startChain();
  try {
    const genesis = chain.client.genesisHash;
    const stream = await liveStream(chain, alice, PRICE);
    await carry(chain, charlie, stream);
    const daves = await openChannel(chain, dave, stream, 1_000n * PRICE);
    const desk = await openDesk(chain, { graceSeconds: GRACE });
    try {
      const port = new RecordingPort(stream, charlie.publicKey);
      const pull = desk.pull(port);
      const signed = (amount: bigint) =>
        JSON.parse(voucher(dave, genesis, daves, amount, charlie.publicKey));
      pull.onMessage(backing(dave, genesis, daves, PRICE, charlie.publicKey));
      // Charlie claims Dave's voucher of 5 seconds before forwarding it.
      await chain.apply(charlie, "Access", "claim", {
        channel: daves,
        cumulativeAmount: 5n * PRICE,
        signature: signatureFromWire(signed(5n * PRICE).signature),
      });
      pull.onMessage(backing(dave, genesis, daves, 5n * PRICE, charlie.publicKey));
      assertEquals(port.of("refused"), []);
      await pull.close();
      const next = new RecordingPort(stream, charlie.publicKey);
      const again = desk.pull(next);
      assertEquals(BigInt(next.of("session")[0].paid!), 4n * PRICE, "grown from 1 to 5 seconds");
      await again.close();
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
});
