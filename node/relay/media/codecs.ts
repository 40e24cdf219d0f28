/**
 * The codecs and RTP features the relay negotiates. Media is forwarded
 * RTP-for-RTP, never transcoded, so a viewer must receive the codec its
 * stream's source sends: viewers are offered exactly that one.
 *
 * @module
 */
import {
  type RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  useFIR,
  useH264,
  useNACK,
  useOPUS,
  usePLI,
  useSdesMid,
  useVP8,
} from "werift";

/**
 * What a source's video feedback includes: loss repair and keyframe
 * requests. Not transport-cc: werift 0.25's TWCC feedback is malformed (one
 * generator per track on a shared transport marks the other track's packets
 * received without times, and its deltas run from an unrounded reference),
 * so Chrome throws it away and its estimate never passes ~320 kbit/s, then
 * collapses every few seconds and viewers freeze. Without it Chrome adapts
 * to the receiver reports' loss and climbs to its target (measured: from
 * 300 kbit/s to 1.5 Mbit/s, 20 fps at 640×480, no freezes).
 */
const videoFeedback = () => [useNACK(), usePLI(), useFIR()];

/** Video codecs a source may publish, preferred first. */
export function sourceVideoCodecs(): RTCRtpCodecParameters[] {
  return [
    useVP8({ rtcpFeedback: videoFeedback() }),
    useH264({
      rtcpFeedback: videoFeedback(),
      parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
    }),
  ];
}

/** Audio codecs a source may publish. */
export function audioCodecs(): RTCRtpCodecParameters[] {
  return [useOPUS()];
}

/**
 * Header extensions with sources: only the MID, BUNDLE's media
 * identification (RFC 8843); transport-cc is left out (see
 * {@link videoFeedback}).
 */
export function sourceHeaderExtensions(): {
  video: RTCRtpHeaderExtensionParameters[];
  audio: RTCRtpHeaderExtensionParameters[];
} {
  return {
    video: [useSdesMid()],
    audio: [useSdesMid()],
  };
}

/** The video codec offered to viewers of a source that sends `codec`. */
export function viewerVideoCodec(codec: RTCRtpCodecParameters): RTCRtpCodecParameters {
  const base = { rtcpFeedback: [useNACK(), usePLI(), useFIR()] };
  return codec.mimeType.toLowerCase() === "video/h264"
    ? useH264({ ...base, parameters: codec.parameters })
    : useVP8(base);
}

/** The codec family of a MIME type, as keyframe detection needs it. */
export type VideoCodecName = "vp8" | "h264";

/** The family of `mimeType`, or undefined for one the relay does not forward. */
export function videoCodecName(mimeType: string): VideoCodecName | undefined {
  const name = mimeType.toLowerCase();
  if (name === "video/vp8") return "vp8";
  if (name === "video/h264") return "h264";
  return undefined;
}
