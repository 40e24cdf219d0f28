import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  GenericNack,
  MediaStreamTrack,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
} from "werift";
import { peerConfig } from "../rtc_config.ts";
import { createPeerConnection } from "./peer.ts";
import { boundResends, RESEND_GAP_MS } from "./retransmit.ts";
import { waitConnected } from "../testing/synthetic_source.ts";

/** Polls `condition` every 10 ms until it holds, or fails after `ms`. */
async function untilTrue(what: string, condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("a NACKed packet is resent once however often the NACK repeats within the gap", async () => {
  const sender = createPeerConnection(peerConfig({ loopbackOnly: true }));
  const receiver = createPeerConnection(peerConfig({ loopbackOnly: true }));
  try {
    const track = new MediaStreamTrack({ kind: "video" });
    const rtpSender = sender.addTransceiver(track, { direction: "sendonly" }).sender;
    let clock = 0;
    boundResends(rtpSender, () => clock);
    const arrivals = new Map<number, number>();
    let remoteSsrc: number | undefined;
    receiver.onTrack.subscribe((remote) =>
      remote.onReceiveRtp.subscribe((packet) => {
        remoteSsrc = packet.header.ssrc;
        const sequence = packet.header.sequenceNumber;
        arrivals.set(sequence, (arrivals.get(sequence) ?? 0) + 1);
      })
    );
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(sender.localDescription!);
    await receiver.setLocalDescription(await receiver.createAnswer());
    await sender.setRemoteDescription(receiver.localDescription!);
    await Promise.all([waitConnected(sender, 10_000), waitConnected(receiver, 10_000)]);

    for (let i = 0; i < 5; i++) {
      const header = new RtpHeader({ sequenceNumber: 100 + i, timestamp: 3000 * i, marker: true });
      await rtpSender.sendRtp(new RtpPacket(header, Buffer.alloc(200, i)));
    }
    await untilTrue("five packets", () => arrivals.size === 5);
    const [first] = [...arrivals.keys()];
    const nack = () =>
      receiver.dtlsTransports[0].sendRtcp([
        new RtcpTransportLayerFeedback({
          feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: remoteSsrc!, lost: [first] }),
        }),
      ]);

    // Five NACKs within the gap: one resend.
    for (let i = 0; i < 5; i++) await nack();
    await untilTrue("the resend", () => arrivals.get(first) === 2);
    await nack(); // still within the gap: a NACK sent in the same instant is not honoured again
    // Past the gap: the next NACK is honoured.
    clock += RESEND_GAP_MS;
    await nack();
    await untilTrue("the second resend", () => arrivals.get(first) === 3);
    await new Promise((r) => setTimeout(r, 100)); // anything more would have come by now
    assertEquals(arrivals.get(first), 3);
  } finally {
    await Promise.all([sender.close(), receiver.close()]);
  }
});
