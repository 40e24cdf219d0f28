/**
 * werift peers that publish to and watch from media workers through a
 * {@link MediaWorkers} supervisor, for tests: the test's own isolate never
 * loads node-datachannel (see `worker.ts`), so its peers are werift's.
 *
 * @module
 */
import type { RTCDataChannel, RTCPeerConnection } from "werift";
import { RtpMeter } from "../../client/rtp_meter.ts";
import { createPeerConnection } from "../media/peer.ts";
import { PAY_CHANNEL_LABEL } from "../../../client/relay/pay_messages.ts";
import { peerConfig } from "../rtc_config.ts";
import {
  type SyntheticMediaOptions,
  SyntheticSource,
  waitConnected,
} from "../testing/synthetic_source.ts";
import type { MediaWorkers } from "./supervisor.ts";

const CONNECT_MS = 10_000;

/** A synthetic publisher connected to a worker. */
export interface TestPublisher {
  session: string;
  worker: number;
  source: SyntheticSource;
  pc: RTCPeerConnection;
  close(): Promise<void>;
}

/** Publishes synthetic VP8 and Opus to `stream` through `workers`. */
export async function publishTo(
  workers: MediaWorkers,
  stream: bigint,
  options: SyntheticMediaOptions = {},
): Promise<TestPublisher> {
  const pc = createPeerConnection(peerConfig({ loopbackOnly: true }));
  const source = new SyntheticSource(pc, options);
  try {
    const connected = waitConnected(pc, CONNECT_MS);
    connected.catch(() => {});
    await pc.setLocalDescription(await pc.createOffer());
    const { session, answer, worker } = await workers.publish(stream, pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    await connected;
    return {
      session,
      worker,
      source,
      pc,
      close: async () => {
        source.stop();
        await pc.close();
      },
    };
  } catch (e) {
    source.stop();
    await pc.close();
    throw e;
  }
}

/** A werift viewer of a worker: what it received, and its pay channel. */
export interface TestViewer {
  session: string;
  worker: number;
  pc: RTCPeerConnection;
  video: RtpMeter;
  audio: RtpMeter;
  /** Text messages that came down the pay channel. */
  payMessages: string[];
  /** The pay channel (open once `payOpen` resolves). */
  pay: RTCDataChannel;
  /** Resolves once the pay channel is open. */
  payOpen: Promise<void>;
  /** Sends a PLI (RTCP picture loss indication) for the video it receives. */
  sendPli(): Promise<void>;
  close(): Promise<void>;
}

/** Watches `stream` through `workers` with a werift viewer that meters what arrives. */
export async function watchFrom(workers: MediaWorkers, stream: bigint): Promise<TestViewer> {
  const pc = createPeerConnection(peerConfig({ loopbackOnly: true }));
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const pay = pc.createDataChannel(PAY_CHANNEL_LABEL);
  const payMessages: string[] = [];
  pay.onMessage.subscribe((data) => payMessages.push(String(data)));
  const payOpen = new Promise<void>((resolve) => {
    pay.stateChanged.subscribe((state) => state === "open" && resolve());
  });
  const video = new RtpMeter({ clockRate: 90_000, vp8: true });
  const audio = new RtpMeter({ clockRate: 48_000 });
  let videoSsrc: number | undefined;
  pc.onTrack.subscribe((track) => {
    const meter = track.kind === "video" ? video : audio;
    track.onReceiveRtp.subscribe((rtp) => {
      if (track.kind === "video") videoSsrc = rtp.header.ssrc;
      meter.add(rtp.header, rtp.payload, performance.now());
    });
  });
  try {
    const connected = waitConnected(pc, CONNECT_MS);
    connected.catch(() => {});
    await pc.setLocalDescription(await pc.createOffer());
    const { session, answer, worker } = await workers.watch(stream, pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    await connected;
    return {
      session,
      worker,
      pc,
      video,
      audio,
      pay,
      payOpen,
      payMessages,
      sendPli: async () => {
        const receiver = pc.getTransceivers().find((t) => t.kind === "video")!.receiver;
        if (videoSsrc !== undefined) await receiver.sendRtcpPLI(videoSsrc);
      },
      close: () => pc.close(),
    };
  } catch (e) {
    await pc.close();
    throw e;
  }
}

/** Polls `condition` every 50 ms until it holds; fails with `what` after `ms`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
