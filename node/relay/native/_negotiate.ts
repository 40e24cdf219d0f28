/**
 * Answering an offer with node-datachannel, the relay the answerer to its
 * publishers and viewers (WHIP and WHEP make it so; a pull, where it
 * offers, is `_pull.ts`). Auto-negotiation is off: the caller adds one track
 * per m-line it takes, with exactly the codec it chose; m-lines it does not
 * take are answered inactive.
 *
 * @module
 */
import type { Audio, PeerConnection, Track, Video } from "node-datachannel";
import type { Rtc, RtcOptions } from "./_rtc.ts";
import { withReachableCandidates } from "./candidates.ts";
import {
  type ChosenCodec,
  MID_EXTENSION,
  type OfferedMedia,
  RID_EXTENSION,
  type SimulcastOffer,
} from "./sdp.ts";

/** The longest a peer connection may take to gather its candidates. */
const GATHER_TIMEOUT_MS = 5_000;

/** A negotiated connection: the answer and the tracks the caller made. */
export interface Negotiated<T> {
  pc: PeerConnection;
  answer: string;
  tracks: T;
  /**
   * The m-lines answered inactive. node-datachannel closes a track whose
   * JavaScript object is garbage-collected, so every track is held for the
   * connection's life, these too.
   */
  inactive: Track[];
}

/**
 * Sets `offer` on a new peer connection, lets `addTracks` add its tracks
 * (it returns them), answers every other media m-line inactive, gathers,
 * and returns the complete answer. The connection is closed on failure.
 */
export async function answerOffer<T>(
  rtc: Rtc,
  options: RtcOptions,
  offer: string,
  media: OfferedMedia[],
  addTracks: (pc: PeerConnection) => T,
): Promise<Negotiated<T>> {
  const pc = new rtc.PeerConnection("relay", {
    iceServers: options.iceServers,
    bindAddress: options.bindAddress,
    disableAutoNegotiation: true,
  });
  try {
    pc.setRemoteDescription(withReachableCandidates(offer, options.bindAddress), "offer");
    const tracks = addTracks(pc);
    const inactive: Track[] = [];
    const taken = new Set(
      Object.values(tracks as Record<string, Track | undefined>)
        .filter((t) => t !== undefined).map((t) => t!.mid()),
    );
    for (const m of media) {
      if (taken.has(m.mid) || (m.kind !== "video" && m.kind !== "audio")) continue;
      const first = m.codecs[0];
      if (m.kind === "video") {
        const rejected = new rtc.Video(m.mid, "Inactive");
        if (first) rejected.addVideoCodec(first.payloadType, first.name.toUpperCase());
        inactive.push(pc.addTrack(rejected));
      } else {
        const rejected = new rtc.Audio(m.mid, "Inactive");
        if (first) rejected.addAudioCodec(first.payloadType, `${first.name}/${first.clockRate}`);
        inactive.push(pc.addTrack(rejected));
      }
    }
    const answer = await gatherLocal(pc, "answer");
    return { pc, answer, tracks, inactive };
  } catch (e) {
    pc.close();
    throw e;
  }
}

/**
 * Sets `pc`'s local description of `type`, waits for its candidates (up to
 * {@link GATHER_TIMEOUT_MS}) and returns it complete.
 */
export async function gatherLocal(pc: PeerConnection, type: "offer" | "answer"): Promise<string> {
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
    pc.onGatheringStateChange((state) => {
      if (state !== "complete") return;
      clearTimeout(timer);
      resolve();
    });
  });
  pc.setLocalDescription(type);
  await gathered;
  const sdp = pc.localDescription()?.sdp;
  if (!sdp) throw new TypeError(`no ${type} was made`);
  return sdp;
}

/**
 * Adds a chosen video codec to a description: libdatachannel adds NACK, PLI
 * and REMB feedback; FIR is added beside them.
 */
export function addVideoCodec(video: Video, codec: ChosenCodec): void {
  // The binding takes no `undefined` for an absent profile: it must be left out.
  if (codec.name === "h264") video.addH264Codec(codec.payloadType, codec.fmtp);
  else video.addVP8Codec(codec.payloadType);
  video.parseSdpLine(`a=rtcp-fb:${codec.payloadType} ccm fir`);
}

/** Adds a chosen Opus codec to a description, with the offer's parameters if it had any. */
export function addOpusCodec(audio: Audio, codec: ChosenCodec): void {
  if (codec.fmtp) audio.addOpusCodec(codec.payloadType, codec.fmtp);
  else audio.addOpusCodec(codec.payloadType);
}

/**
 * Adds the lines that receive `simulcast` to a video description: each
 * layer's RID and the simulcast stream list (RFC 8853), and the MID and
 * RID header extensions at the offer's ids (Chrome refuses an answer to
 * its simulcast without the RID one). node-datachannel copies them into
 * the answer as they are.
 */
export function addSimulcastReceive(video: Video, simulcast: SimulcastOffer): void {
  if (simulcast.midExtension) {
    video.parseSdpLine(`a=extmap:${simulcast.midExtension} ${MID_EXTENSION}`);
  }
  video.parseSdpLine(`a=extmap:${simulcast.ridExtension} ${RID_EXTENSION}`);
  for (const rid of simulcast.rids) video.parseSdpLine(`a=rid:${rid} recv`);
  video.parseSdpLine(`a=simulcast:recv ${simulcast.rids.join(";")}`);
}
