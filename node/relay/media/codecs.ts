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
  useTransportWideCC,
  useTWCC,
  useVP8,
} from "werift";

/** What a source's video feedback includes: loss repair, keyframe requests, congestion control. */
const videoFeedback = () => [useNACK(), usePLI(), useFIR(), useTWCC()];

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
  return [useOPUS({ rtcpFeedback: [useTWCC()] })];
}

/**
 * Header extensions with sources: transport-wide sequence numbers let werift
 * send TWCC feedback, without which a browser's encoder stays near its
 * start bitrate.
 */
export function sourceHeaderExtensions(): {
  video: RTCRtpHeaderExtensionParameters[];
  audio: RTCRtpHeaderExtensionParameters[];
} {
  return {
    video: [useSdesMid(), useTransportWideCC()],
    audio: [useSdesMid(), useTransportWideCC()],
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
