/**
 * A process of cheap WHEP viewers on node-datachannel for the
 * `relay.native_fanout` benchmark and the media workers' tests, driven by
 * JSON lines on stdin, each answered by one JSON line on stdout.
 * A viewer offers to receive VP8 and Opus, and its tracks run
 * libdatachannel's `RtcpReceivingSession`: it decrypts and counts in C++ and
 * answers each sender report with a receiver report (cumulative loss), so
 * no packet costs JavaScript here and many viewers fit in one process. The
 * relay reads loss from those reports.
 *
 * A child-process entry point: the only place besides the media worker that
 * loads the addon (see `tests/native_addon_graph_test.ts`).
 *
 * @module
 */
import nodeDataChannel, { type PeerConnection, type Track } from "node-datachannel";
import process from "node:process";
import { createInterface } from "node:readline";

/** A request to the process. */
export type NativeViewerRequest =
  | { op: "offer" }
  | { op: "answer"; id: number; answer: string }
  | { op: "drop"; id: number }
  | { op: "stats" }
  | { op: "stop" };

/** How long a viewer may take to gather its candidates (loopback only: at once). */
const GATHER_MS = 2_000;
/** How long an answered viewer may take to connect. */
const CONNECT_MS = 10_000;

/** Each viewer with its tracks, held: node-datachannel closes a track whose object is collected. */
const viewers = new Map<number, { pc: PeerConnection; tracks: Track[] }>();
let nextId = 1;

async function offer(): Promise<{ id: number; offer: string }> {
  const pc = new nodeDataChannel.PeerConnection("viewer", {
    iceServers: [],
    bindAddress: "127.0.0.1",
    // libdatachannel's offering side checks the relay's DTLS fingerprint
    // against the answer, and fails ("unknown CA") when the relay's handshake
    // arrives before the answer is set (issue 13). A browser viewer holds the
    // handshake instead; on loopback, this bench viewer trusts the relay. The
    // race still fails some handshakes under load: the pool offers again.
    disableFingerprintVerification: true,
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
  pc.setLocalDescription();
  await gathered;
  const id = nextId++;
  viewers.set(id, { pc, tracks });
  return { id, offer: pc.localDescription()!.sdp };
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

async function handle(request: NativeViewerRequest): Promise<unknown> {
  switch (request.op) {
    case "offer":
      return await offer();
    case "answer":
      return await answer(request.id, request.answer);
    case "drop":
      return drop(request.id);
    case "stats":
      return stats();
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
