import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { RTCPeerConnection } from "werift";
import { keypairFromUri } from "../../runtime/crypto/keypair.ts";
import { verifyMultiPortable } from "../../runtime/crypto/multi_signature.ts";
import { signerFromUri } from "../../runtime/crypto/signer.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import { voucherPayload } from "../../pallets/access/voucher.ts";
import { receiptPayload } from "../../pallets/qos-rewards/receipts.ts";
import { peerConfig } from "../relay/rtc_config.ts";
import {
  type RelayMessage,
  type SessionMessage,
  signatureFromWire,
} from "../../client/relay/pay_messages.ts";
import { SyntheticSource } from "../relay/testing/synthetic_source.ts";
import { SdpExchangeError } from "../../client/relay/whep_client.ts";
import { HeadlessViewer } from "./headless_viewer.ts";

// polkadot.js Apps' default kind of account.
const viewerKey = signerFromUri("//Dave", "sr25519");
const relayKey = keypairFromUri("//Bob");
const GENESIS = "0x" + "ab".repeat(32);

interface VoucherSeen {
  amount: bigint;
  valid: boolean;
}

/**
 * A stand-in WHEP server: one werift peer per POST sending synthetic media,
 * a `session` message when the pay channel opens, an ack per valid voucher.
 */
function fakeRelay(session: SessionMessage | undefined) {
  const vouchers: VoucherSeen[] = [];
  const receipts: { era: number; seconds: number; bytes: bigint; valid: boolean }[] = [];
  const deleted: string[] = [];
  const peers: { pc: RTCPeerConnection; source: SyntheticSource }[] = [];
  let sendToViewer: (message: RelayMessage) => void = () => {};
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "DELETE") {
      deleted.push(url.pathname);
      return new Response(null, { status: 200 });
    }
    if (req.headers.get("authorization") !== "Bearer good") {
      return new Response("no", { status: 401 });
    }
    const pc = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
    pc.onDataChannel.subscribe((channel) => {
      sendToViewer = (m) => channel.send(JSON.stringify(m));
      channel.stateChanged.subscribe((state) => {
        if (state === "open" && session) sendToViewer(session);
      });
      channel.onMessage.subscribe((data) => {
        const m = JSON.parse(data.toString());
        const signature = signatureFromWire(m.signature);
        if (m.type === "voucher") {
          const amount = BigInt(m.amount);
          const payload = voucherPayload(
            fromHex(GENESIS),
            BigInt(m.channel),
            relayKey.publicKey,
            amount,
          );
          const valid = verifyMultiPortable(signature, payload, viewerKey.account);
          vouchers.push({ amount, valid });
          if (valid) {
            sendToViewer({
              type: "ack",
              channel: m.channel,
              amount: m.amount,
              owed: "0",
              seconds: 0,
              depositLeft: "0",
              era: session!.era,
            });
          }
        } else {
          const payload = receiptPayload({
            genesisHash: fromHex(GENESIS),
            relay: relayKey.publicKey,
            stream: 4n,
            era: m.era,
            seconds: m.seconds,
            bytes: BigInt(m.bytes),
          });
          const valid = verifyMultiPortable(signature, payload, viewerKey.account);
          receipts.push({ era: m.era, seconds: m.seconds, bytes: BigInt(m.bytes), valid });
        }
      });
    });
    const source = new SyntheticSource(pc, { keyframeInterval: 0 });
    peers.push({ pc, source });
    await pc.setRemoteDescription({ type: "offer", sdp: await req.text() });
    await pc.setLocalDescription(await pc.createAnswer());
    return new Response(pc.localDescription!.sdp, {
      status: 201,
      headers: { "content-type": "application/sdp", location: `/whep/4/${peers.length}` },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/whep/4`,
    vouchers,
    receipts,
    deleted,
    send: (message: RelayMessage) => sendToViewer(message),
    async close() {
      for (const { pc, source } of peers) {
        source.stop();
        await pc.close();
      }
      await server.shutdown();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("HeadlessViewer counts packets, frames and keyframes, and DELETEs on stop", async () => {
  const relay = fakeRelay(undefined);
  const viewer = await HeadlessViewer.start({ whepUrl: relay.url, token: "good", loopback: true });
  try {
    await sleep(1000);
    const stats = viewer.stats();
    assert(stats.video.packets > 200, `video packets ${stats.video.packets}`);
    assert(stats.video.frames > 20, `frames ${stats.video.frames}`);
    assertEquals(stats.video.keyframes, 1);
    assert(stats.video.lost <= 2, `lost ${stats.video.lost}`);
    assert(stats.video.jitterMs < 20, `jitter ${stats.video.jitterMs}`);
    assert(stats.audio.packets > 30, `audio packets ${stats.audio.packets}`);
    assertEquals(stats.audio.keyframes, 0);
    assert(stats.firstFrameMs! >= stats.firstKeyframeMs!);
    assert(stats.firstFrameMs! < 1000, `first frame ${stats.firstFrameMs}`);
    assertEquals(stats.paid, 0n);
  } finally {
    await viewer.stop();
    await relay.close();
  }
  assertEquals(relay.deleted, ["/whep/4/1"]);
  assertEquals(await viewer.ended, "stopped");
});

Deno.test("HeadlessViewer.start() rejects with the relay's status", async () => {
  const relay = fakeRelay(undefined);
  try {
    await rejects(
      HeadlessViewer.start({ whepUrl: relay.url, token: "bad", loopback: true }),
      (e) => e instanceof SdpExchangeError && e.status === 401,
    );
  } finally {
    await relay.close();
  }
});

Deno.test("HeadlessViewer pays sr25519 vouchers each second and signs receipts for the relay's era", async () => {
  const relay = fakeRelay({
    type: "session",
    stream: 4,
    price: "10",
    graceSeconds: 3,
    channel: "0x7",
    relay: ss58Encode(relayKey.publicKey),
    era: 3,
    genesis: GENESIS,
  });
  const messages: RelayMessage[] = [];
  const viewer = await HeadlessViewer.start({
    whepUrl: relay.url,
    token: "good",
    loopback: true,
    pay: { key: viewerKey, baseline: 100n, voucherIntervalMs: 200, receiptIntervalMs: 500 },
    onMessage: (m) => messages.push(m),
  });
  try {
    await sleep(1300);
    // the first voucher prepays one second over the baseline; later ones follow the clock
    assertEquals(relay.vouchers[0], { amount: 110n, valid: true });
    assert(relay.vouchers.at(-1)!.amount === 120n, `${relay.vouchers.map((v) => v.amount)}`);
    assert(relay.vouchers.every((v) => v.valid));
    assertEquals(viewer.stats().paid, 120n);
    assert(relay.receipts.length >= 2, `receipts ${relay.receipts.length}`);
    assert(relay.receipts.every((r) => r.valid && r.era === 3));
    assert(relay.receipts.at(-1)!.bytes > 100_000n);
    assertEquals(messages[0].type, "session");
    assert(messages.some((m) => m.type === "ack"));

    viewer.payments!.pause();
    const count = relay.vouchers.length;
    await sleep(1100);
    assertEquals(relay.vouchers.length, count);

    viewer.payments!.sendVoucher(500n, { forged: true });
    await sleep(200);
    assertEquals(relay.vouchers.at(-1), { amount: 500n, valid: false });
    assertEquals(viewer.stats().paid, 120n);

    relay.send({ type: "cutoff", reason: "unpaid" });
    assertEquals(await viewer.ended, "cutoff");
    assertEquals(viewer.messages.at(-1), { type: "cutoff", reason: "unpaid" });
  } finally {
    await viewer.stop();
    await relay.close();
  }
});
