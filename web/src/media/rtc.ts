/// <reference lib="dom" />
/**
 * What the publisher and the player share: starting a non-trickle WHIP/WHEP
 * session (offer after ICE gathering completes, retried while the relay
 * answers 409 "not live yet", following a full relay to the one it sends the
 * viewer to, done once media can flow), and RTP totals from `getStats`.
 *
 * @module
 */
import {
  endSession,
  exchangeSdp,
  type SdpExchange,
  SdpExchangeError,
  type TokenFor,
} from "../../../client/relay/whep_client.ts";

/** Longest wait for ICE gathering before the offer goes out with what it has. */
const GATHER_MS = 3_000;

/** Waits until `pc` has gathered its ICE candidates (or {@link GATHER_MS} passed). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => pc.iceGatheringState === "complete" && done();
    const timer = setTimeout(done, GATHER_MS);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/**
 * Offers `pc`'s transceivers to a WHIP or WHEP `endpoint` and applies the
 * answer. While the relay answers 409 (the stream is not live here yet) it
 * tries again after `Retry-After`, until `patienceMs` have passed. A full
 * relay's redirect is followed with a token `token` makes for the relay it
 * sends to.
 *
 * @throws {SdpExchangeError} with the relay's status and reason
 */
async function negotiate(
  pc: RTCPeerConnection,
  endpoint: string,
  token: TokenFor,
  options: { patienceMs?: number; onWait?: (reason: string) => void } = {},
): Promise<SdpExchange> {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const deadline = Date.now() + (options.patienceMs ?? 30_000);
  for (;;) {
    try {
      const exchange = await exchangeSdp(endpoint, pc.localDescription!.sdp, token);
      await pc.setRemoteDescription({ type: "answer", sdp: exchange.answer });
      return exchange;
    } catch (e) {
      if (!(e instanceof SdpExchangeError) || e.status !== 409 || Date.now() > deadline) throw e;
      options.onWait?.(e.body || "the stream is not live here yet");
      const waitMs = Math.min(Math.max(e.retryAfter ?? 1, 1), 5) * 1000;
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}

/**
 * Waits until `pc` is connected (ICE and DTLS done, media can flow).
 *
 * @throws {Error} when it fails or takes longer than `ms`
 */
function connected(pc: RTCPeerConnection, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pc.connectionState === "connected") finish();
      else if (pc.connectionState === "failed" || pc.connectionState === "closed") {
        finish(new Error(`the connection to the relay ${pc.connectionState}`));
      }
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      pc.removeEventListener("connectionstatechange", check);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`no connection to the relay after ${ms / 1000} s`)),
      ms,
    );
    pc.addEventListener("connectionstatechange", check);
    check();
  });
}

/**
 * Starts a WHIP or WHEP session for `pc` at `endpoint` (or the relay a full
 * one sends it to, see {@link negotiate}) and waits until media can flow.
 * On failure `pc` is closed and a session the relay made is ended.
 *
 * @throws {Error} saying why in words (the relay's refusal, or the connection's failure)
 */
export async function startSession(
  pc: RTCPeerConnection,
  endpoint: string,
  token: TokenFor,
  progress: (text: string) => void,
): Promise<SdpExchange> {
  let exchange: SdpExchange | undefined;
  try {
    progress("Connecting to the relay…");
    exchange = await negotiate(pc, endpoint, token, {
      onWait: (reason) => progress(`Waiting for the relay: ${reason}`),
    });
    progress("Connecting media…");
    await connected(pc);
    return exchange;
  } catch (e) {
    pc.close();
    if (exchange) await endSession(exchange.location, exchange.token).catch(() => {});
    throw new Error(refusalText(e));
  }
}

/** A relay refusal in words, by WHIP/WHEP status. */
function refusalText(e: unknown): string {
  if (!(e instanceof SdpExchangeError)) return e instanceof Error ? e.message : String(e);
  const why: Record<number, string> = {
    401: "the relay did not accept the token",
    403: "this account has no right to do that (open a channel, or publish only your own stream)",
    404: "no such stream on this node",
    409: "the stream is not live here yet",
    410: "the stream has ended",
    503: "the relay is at capacity and knows no other with room",
  };
  const body = e.body.trim();
  return `${why[e.status] ?? "the relay refused"} (${e.status}${body ? `: ${body}` : ""})`;
}

/**
 * How long a session's connection may stay down before the page starts it
 * over. A relay's media worker that died sends nothing, not even a DTLS
 * close: the browser only sees its ICE checks go unanswered
 * ("disconnected" after about 5 s, "failed" after about 30).
 */
export const RECONNECT_AFTER_MS = 4_000;

/** Tells when a session's connection is lost for good: failed, closed, or down too long. */
export class ConnectionWatch {
  readonly #pc: RTCPeerConnection;
  #upAt = performance.now();

  constructor(pc: RTCPeerConnection) {
    this.#pc = pc;
  }

  /** Whether to start the session over; asked about once a second. */
  lost(now = performance.now()): boolean {
    const state = this.#pc.connectionState;
    if (state === "failed" || state === "closed") return true;
    if (state === "connected") this.#upAt = now;
    return now - this.#upAt > RECONNECT_AFTER_MS;
  }
}

/** Totals of the RTP streams of one direction. */
export interface RtpTotals {
  bytes: number;
  packets: number;
  packetsLost: number;
  framesDecoded: number;
  freezeCount: number;
}

/** Sums `inbound-rtp` (received) or `outbound-rtp` (sent) stats of `pc`. */
export async function rtpTotals(
  pc: RTCPeerConnection,
  type: "inbound-rtp" | "outbound-rtp",
): Promise<RtpTotals> {
  const totals = { bytes: 0, packets: 0, packetsLost: 0, framesDecoded: 0, freezeCount: 0 };
  (await pc.getStats()).forEach((report) => {
    if (report.type !== type) return;
    totals.bytes += report.bytesReceived ?? report.bytesSent ?? 0;
    totals.packets += report.packetsReceived ?? report.packetsSent ?? 0;
    totals.packetsLost += Math.max(0, report.packetsLost ?? 0);
    totals.framesDecoded += report.framesDecoded ?? 0;
    totals.freezeCount += report.freezeCount ?? 0;
  });
  return totals;
}

/** Bits per second between successive byte totals. */
export class Bitrate {
  #last: { bytes: number; ms: number } | undefined;

  /** The rate since the previous sample (0 on the first). */
  sample(bytes: number, ms: number): number {
    const last = this.#last;
    this.#last = { bytes, ms };
    return last && ms > last.ms ? ((bytes - last.bytes) * 8 * 1000) / (ms - last.ms) : 0;
  }
}

/** `1.2 Mbit/s`. */
export function formatBitrate(bps: number): string {
  return bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mbit/s` : `${Math.round(bps / 1e3)} kbit/s`;
}
