import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type MediaStreamTrack, RTCPeerConnection, type RTCRtpTransceiver } from "werift";
import { peerConfig } from "../rtc_config.ts";
import { SyntheticSource, waitConnected } from "./synthetic_source.ts";
import { startsVp8Keyframe } from "../media/keyframe.ts";
import { sentAtOf, wallClockMs } from "./vp8.ts";

interface Received {
  packets: number;
  markers: number;
  keyframes: number;
  latencies: number[];
}

/** A werift receiver answering `offerer`; counts video packets. */
async function connectReceiver(offerer: RTCPeerConnection) {
  const receiver = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
  const got: Received = { packets: 0, markers: 0, keyframes: 0, latencies: [] };
  let video: { track: MediaStreamTrack; transceiver: RTCRtpTransceiver } | undefined;
  receiver.onTrack.subscribe((track) => {
    if (track.kind !== "video") return;
    const transceiver = receiver.getTransceivers().find((t) => t.receiver.track === track)!;
    video = { track, transceiver };
    track.onReceiveRtp.subscribe((rtp) => {
      got.packets++;
      if (rtp.header.marker) got.markers++;
      if (startsVp8Keyframe(rtp.payload)) got.keyframes++;
      got.latencies.push(wallClockMs() - sentAtOf(rtp.payload)!);
    });
  });
  await offerer.setLocalDescription(await offerer.createOffer());
  await receiver.setRemoteDescription(offerer.localDescription!);
  await receiver.setLocalDescription(await receiver.createAnswer());
  await offerer.setRemoteDescription(receiver.localDescription!);
  await Promise.all([waitConnected(offerer, 10_000), waitConnected(receiver, 10_000)]);
  return {
    receiver,
    got,
    sendPli: () => video!.transceiver.receiver.sendRtcpPLI(video!.track.ssrc!),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "SyntheticSource sends paced frames with markers, and a keyframe on PLI",
  async fn() {
    const sender = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
    const source = new SyntheticSource(sender, { keyframeInterval: 0 });
    const { receiver, got, sendPli } = await connectReceiver(sender);
    try {
      await sleep(1000);
      const sent = source.stats();
      // 2.5 Mbit/s in ~1100-byte packets at 30 fps: ~10 packets a frame, ~284 a second
      assert(sent.frames >= 25 && sent.frames <= 35, `frames ${sent.frames}`);
      assert(sent.videoPackets >= 250 && sent.videoPackets <= 350, `${sent.videoPackets}`);
      assert(sent.audioPackets >= 40 && sent.audioPackets <= 55, `audio ${sent.audioPackets}`);
      assertEquals(sent.keyframes, 1); // only the first frame, no interval
      assert(got.packets >= sent.videoPackets - 15, `received ${got.packets}/${sent.videoPackets}`);
      assert(Math.abs(got.markers - sent.frames) <= 1, `markers ${got.markers}/${sent.frames}`);
      assertEquals(got.keyframes, 1);

      await sendPli();
      await sleep(300);
      assertEquals(source.stats().keyframeRequests, 1);
      assertEquals(source.stats().keyframes, 2);
      assertEquals(got.keyframes, 2);
      got.latencies.sort((a, b) => a - b);
      assert(got.latencies[Math.floor(got.latencies.length / 2)] < 20, "loopback latency");
    } finally {
      source.stop();
      await Promise.all([sender.close(), receiver.close()]);
    }
  },
});
