/**
 * A process of cheap WHEP viewers on node-datachannel for the
 * `relay.native_fanout` and `relay.tree` benchmarks and the media workers'
 * tests, driven by JSON lines on stdin, each answered by one JSON line on
 * stdout. A viewer offers to receive VP8 and Opus, and its tracks run
 * libdatachannel's `RtcpReceivingSession`: it decrypts and counts in C++ and
 * answers each sender report with a receiver report (cumulative loss), so
 * no packet costs JavaScript here and many viewers fit in one process. The
 * relay reads loss from those reports.
 *
 * A viewer offered with `meter` also measures its video here, when the
 * relays it watches through are other processes: loss from sequence gaps
 * and when its first frame (a whole keyframe) arrived, on the wall clock.
 * That costs a JavaScript callback per video packet.
 *
 * A child-process entry point: the only place besides the media worker that
 * loads the addon (see `tests/native_addon_graph_test.ts`).
 *
 * @module
 */
import nodeDataChannel, { type PeerConnection, type Track } from "node-datachannel";
import process from "node:process";
import { createInterface } from "node:readline";
import { RtpMeter } from "../../client/rtp_meter.ts";
import { startsVp8Keyframe } from "../media/keyframe.ts";
import { isRtcp, payloadOffset } from "./rtp.ts";
import { splitCandidates } from "./sdp.ts";

/** A request to the process. */
export type NativeViewerRequest =
  | { op: "offer"; meter?: boolean }
  | { op: "answer"; id: number; answer: string }
  | { op: "drop"; id: number }
  | { op: "stats" }
  | { op: "meters" }
  | { op: "stop" };

/** What a metered viewer measured of its video so far. */
export interface VideoMeterReading {
  id: number;
  packets: number;
  /** Packets missing from the sequence (RFC 3550 §A.3). */
  lost: number;
  frames: number;
  /** When its first whole keyframe arrived, Unix milliseconds (fractional). */
  firstFrameAt?: number;
}

/** How long a viewer may take to gather its candidates (loopback only: at once). */
const GATHER_MS = 2_000;
/** How long an answered viewer may take to connect. */
const CONNECT_MS = 10_000;

/** Each viewer with its tracks, held: node-datachannel closes a track whose object is collected. */
const viewers = new Map<number, { pc: PeerConnection; tracks: Track[]; meter?: VideoMeter }>();
let nextId = 1;

/** A metered viewer's video: its packets counted, the arrival of its first whole keyframe noted. */
class VideoMeter {
  readonly rtp = new RtpMeter({ clockRate: 90_000, vp8: true });
  firstFrameAt?: number;
  #inKeyframe = false;

  add(packet: Uint8Array): void {
    const offset = payloadOffset(packet);
    if (offset < 0 || isRtcp(packet)) return;
    const payload = packet.subarray(offset);
    const marker = (packet[1] & 0x80) !== 0;
    const header = {
      sequenceNumber: (packet[2] << 8) | packet[3],
      timestamp: ((packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]) >>> 0,
      marker,
    };
    this.rtp.add(header, payload, performance.now());
    if (this.firstFrameAt !== undefined) return;
    if (startsVp8Keyframe(payload)) this.#inKeyframe = true;
    if (marker && this.#inKeyframe) this.firstFrameAt = performance.timeOrigin + performance.now();
  }
}

/**
 * A viewer's offer, without its ICE candidates, which come back beside it
 * for the pool to trickle once the answer is set. libdatachannel's offering
 * side races the relay's DTLS against the answer: a relay that can reach
 * the viewer before the answer is set starts its handshake too early, which
 * fails the fingerprint check ("unknown CA") or loses the first flight to a
 * resend a second later. Held back, the candidates reach the relay only
 * once the viewer is ready (as the relay's own pulls do).
 */
async function offer(
  metered: boolean,
): Promise<{ id: number; offer: string; candidates: { candidate: string; mid: string }[] }> {
  const pc = new nodeDataChannel.PeerConnection("viewer", {
    iceServers: [],
    bindAddress: "127.0.0.1",
  });
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, GATHER_MS);
    pc.onGatheringStateChange((state) => {
      if (state !== "complete") return;
      clearTimeout(timer);
      resolve();
    });
  });
  const video = new nodeDataChannel.Video("0", "RecvOnly");
  video.addVP8Codec(96);
  const audio = new nodeDataChannel.Audio("1", "RecvOnly");
  audio.addOpusCodec(111);
  const tracks = [pc.addTrack(video), pc.addTrack(audio)];
  for (const track of tracks) track.setMediaHandler(new nodeDataChannel.RtcpReceivingSession());
  const meter = metered ? new VideoMeter() : undefined;
  if (meter) tracks[0].onMessage((packet) => meter.add(packet));
  pc.setLocalDescription();
  await gathered;
  const id = nextId++;
  viewers.set(id, { pc, tracks, meter });
  const { sdp, candidates } = splitCandidates(pc.localDescription()!.sdp);
  return { id, offer: sdp, candidates };
}

/** Sets the relay's answer and waits for the connection: `connected` false when it failed. */
function answer(id: number, sdp: string): Promise<{ connected: boolean; state: string }> {
  const pc = viewers.get(id)?.pc;
  if (!pc) return Promise.resolve({ connected: false, state: "unknown viewer" });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ connected: false, state: pc.state() }), CONNECT_MS);
    pc.onStateChange((state) => {
      if (state === "connected" || state === "failed" || state === "closed") {
        clearTimeout(timer);
        resolve({ connected: state === "connected", state });
      }
    });
    try {
      pc.setRemoteDescription(sdp, "answer");
    } catch (e) {
      // The relay's DTLS came first and failed the transport (see `offer`).
      clearTimeout(timer);
      resolve({ connected: false, state: (e as Error).message });
    }
  });
}

function drop(id: number): { dropped: boolean } {
  const pc = viewers.get(id)?.pc;
  viewers.delete(id);
  pc?.close();
  return { dropped: pc !== undefined };
}

function stats(): { viewers: number; connected: number; bytes: number } {
  let connected = 0;
  let bytes = 0;
  for (const { pc } of viewers.values()) {
    if (pc.state() === "connected") connected++;
    bytes += pc.bytesReceived();
  }
  return { viewers: viewers.size, connected, bytes };
}

/** What each metered viewer measured. */
function meters(): VideoMeterReading[] {
  return [...viewers].flatMap(([id, { meter }]) => {
    if (!meter) return [];
    const { packets, lost, frames } = meter.rtp.read();
    return [{ id, packets, lost, frames, firstFrameAt: meter.firstFrameAt }];
  });
}

async function handle(request: NativeViewerRequest): Promise<unknown> {
  switch (request.op) {
    case "offer":
      return await offer(request.meter ?? false);
    case "answer":
      return await answer(request.id, request.answer);
    case "drop":
      return drop(request.id);
    case "stats":
      return stats();
    case "meters":
      return meters();
    case "stop":
      for (const id of [...viewers.keys()]) drop(id);
      return { stopped: true };
  }
}

if (import.meta.main) {
  // libdatachannel's own log goes to stderr: stdout carries replies alone.
  nodeDataChannel.initLogger("Error", (level, message) => console.error(`[${level}] ${message}`));
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const request = JSON.parse(line) as NativeViewerRequest;
    const reply = await handle(request);
    process.stdout.write(JSON.stringify(reply) + "\n");
    if (request.op === "stop") break;
  }
  nodeDataChannel.cleanup();
  Deno.exit(0);
}
