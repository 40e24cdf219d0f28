/**
 * Reading a WHIP or WHEP offer, and choosing what a media worker answers
 * with: one media codec per m-line, never RTX, RED or FEC (the relay
 * forwards RTP as it comes and repairs loss with NACK alone), and no header
 * extensions (transport-cc among them: the relay never sends its feedback,
 * and a publisher that negotiated it without getting any drops its bitrate
 * to ~55 kbit/s) but, from a simulcast publisher, the MID and RID ones that
 * name each layer. Pure: the node and the tests import it without the addon.
 *
 * @module
 */

/** A codec an offer lists for one m-line. */
export interface OfferedCodec {
  payloadType: number;
  /** The encoding name, lower case (`vp8`, `h264`, `opus`, `rtx`, …). */
  name: string;
  clockRate: number;
  /** The `a=fmtp` parameters, as written; empty when there are none. */
  fmtp: string;
}

/** One m-line of an offer. */
export interface OfferedMedia {
  kind: string;
  mid: string;
  /** The offerer's direction (`sendrecv` when unsaid). */
  direction: "sendrecv" | "sendonly" | "recvonly" | "inactive";
  codecs: OfferedCodec[];
  /** The offerer's SSRCs on this m-line (`a=ssrc`). */
  ssrcs: number[];
  /**
   * The RIDs it sends as simulcast, in its `a=simulcast:send` order (the
   * first of each stream's alternatives, a paused one too); empty without.
   */
  rids: string[];
  /** Its RTP header extensions' ids, by URI (`a=extmap`). */
  extensions: Record<string, number>;
}

/** The video codec families the relay forwards (the same as `media/codecs.ts`). */
export type VideoCodec = "vp8" | "h264";

/** A codec chosen for an answer. */
export interface ChosenCodec<Name extends VideoCodec | "opus" = VideoCodec | "opus"> {
  payloadType: number;
  name: Name;
  clockRate: number;
  fmtp: string;
}

const DIRECTIONS = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);

/**
 * The m-lines of an SDP offer (or of an answer, `what` says, for the errors).
 *
 * @example
 * ```ts
 * import { parseOffer } from "./sdp.ts";
 * const [video] = parseOffer(
 *   "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=sendonly\r\n" +
 *     "a=rtpmap:96 VP8/90000\r\na=ssrc:42 cname:x\r\n",
 * );
 * if (video.codecs[0].name !== "vp8" || video.ssrcs[0] !== 42) throw new Error();
 * ```
 *
 * @throws {TypeError} when it is not SDP with m-lines, each with a `mid`
 */
export function parseOffer(sdp: string, what: "offer" | "answer" = "offer"): OfferedMedia[] {
  if (!/^v=0/.test(sdp)) throw new TypeError(`Cannot read the ${what}: it is not SDP`);
  const media: (OfferedMedia & { formats: number[] })[] = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("m=")) {
      const [kind, , , ...formats] = line.slice(2).split(" ");
      media.push({
        kind,
        mid: "",
        direction: "sendrecv",
        codecs: [],
        ssrcs: [],
        rids: [],
        extensions: {},
        formats: formats.map(Number).filter(Number.isInteger),
      });
      continue;
    }
    const current = media.at(-1);
    if (!current || !line.startsWith("a=")) continue;
    const [attribute, value = ""] = splitOnce(line.slice(2), ":");
    if (attribute === "mid") current.mid = value;
    else if (DIRECTIONS.has(attribute)) current.direction = attribute as OfferedMedia["direction"];
    else if (attribute === "rtpmap") {
      const [pt, encoding] = splitOnce(value, " ");
      const [name, clock] = encoding.split("/");
      const payloadType = Number(pt);
      if (!current.formats.includes(payloadType)) continue;
      current.codecs.push({
        payloadType,
        name: name.toLowerCase(),
        clockRate: Number(clock),
        fmtp: "",
      });
    } else if (attribute === "fmtp") {
      const [pt, parameters] = splitOnce(value, " ");
      const codec = current.codecs.find((c) => c.payloadType === Number(pt));
      if (codec) codec.fmtp = parameters;
    } else if (attribute === "ssrc") {
      const ssrc = Number(value.split(" ")[0]);
      if (Number.isInteger(ssrc) && !current.ssrcs.includes(ssrc)) current.ssrcs.push(ssrc);
    } else if (attribute === "extmap") {
      const [id, uri] = value.split(" ");
      const number = parseInt(id, 10); // "3" or "3/sendonly"
      if (number > 0 && uri) current.extensions[uri] = number;
    } else if (attribute === "simulcast") current.rids = simulcastSends(value);
  }
  if (media.length === 0) throw new TypeError(`Cannot read the ${what}: it has no m-lines`);
  for (const m of media) {
    if (!m.mid) throw new TypeError(`Cannot read the ${what}: its ${m.kind} m-line has no mid`);
  }
  return media.map(({ formats: _, ...m }) => m);
}

/** An SDP without its ICE candidates, and the candidates it had. */
export interface SplitCandidates {
  sdp: string;
  /** Each `candidate:…` attribute with the mid of its m-line. */
  candidates: { candidate: string; mid: string }[];
}

/**
 * Takes the ICE candidates out of `sdp`, as a trickle-ICE offer that has
 * gathered none looks (RFC 8838 §5.1): no `a=candidate` nor
 * `a=end-of-candidates`, each m-line on port 9 and its connection address
 * `0.0.0.0`, so the other side has no address to send to first.
 *
 * @example
 * ```ts
 * import { splitCandidates } from "./sdp.ts";
 * const { sdp, candidates } = splitCandidates(
 *   "v=0\r\nm=video 4000 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 10.0.0.1\r\na=mid:0\r\n" +
 *     "a=candidate:1 1 UDP 1 10.0.0.1 4000 typ host\r\na=end-of-candidates\r\n",
 * );
 * if (!sdp.includes("m=video 9 ") || !sdp.includes("c=IN IP4 0.0.0.0")) throw new Error();
 * if (candidates[0].mid !== "0" || sdp.includes("candidate")) throw new Error();
 * ```
 */
export function splitCandidates(sdp: string): SplitCandidates {
  const lines: string[] = [];
  const found: { candidate: string; section: number }[] = [];
  const mids: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith("m=")) {
      mids.push("");
      lines.push(line.replace(/^(m=\S+) \d+/, "$1 9"));
    } else if (line.startsWith("c=") && mids.length > 0) lines.push("c=IN IP4 0.0.0.0");
    else if (line.startsWith("a=candidate:")) {
      found.push({ candidate: line.slice(2), section: mids.length - 1 });
    } else if (line !== "a=end-of-candidates") {
      if (line.startsWith("a=mid:") && mids.length > 0) mids[mids.length - 1] = line.slice(6);
      lines.push(line);
    }
  }
  const candidates = found.map(({ candidate, section }) => ({
    candidate,
    mid: mids[section] ?? "",
  }));
  return { sdp: lines.join("\r\n"), candidates };
}

/**
 * A publisher's video codec: VP8 first, then H.264 in packetization mode 1
 * (the relay's preference, as `media/codecs.ts` has it).
 */
export function chooseSourceVideo(media: OfferedMedia): ChosenCodec<VideoCodec> | undefined {
  const vp8 = media.codecs.find((c) => c.name === "vp8");
  if (vp8) return chosen(vp8, "vp8");
  const h264 = media.codecs.find((c) => c.name === "h264" && packetizationMode1(c.fmtp));
  return h264 && chosen(h264, "h264");
}

/**
 * A viewer's video codec: the source's, at the viewer's payload type. For
 * H.264 the same profile-level-id is preferred, then the same profile.
 */
export function chooseViewerVideo(
  media: OfferedMedia,
  source: Pick<ChosenCodec<VideoCodec>, "name" | "fmtp">,
): ChosenCodec<VideoCodec> | undefined {
  if (source.name === "vp8") {
    const vp8 = media.codecs.find((c) => c.name === "vp8");
    return vp8 && chosen(vp8, "vp8");
  }
  const h264 = media.codecs.filter((c) => c.name === "h264" && packetizationMode1(c.fmtp));
  const level = profileLevelId(source.fmtp);
  const match = h264.find((c) => profileLevelId(c.fmtp) === level) ??
    h264.find((c) => profileLevelId(c.fmtp).slice(0, 2) === level.slice(0, 2));
  return match && chosen(match, "h264");
}

/**
 * The video codec an answer to a pull chose: its first codec the relay
 * forwards (VP8, or H.264 in packetization mode 1), which the answerer sends.
 */
export function chooseAnsweredVideo(media: OfferedMedia): ChosenCodec<VideoCodec> | undefined {
  for (const codec of media.codecs) {
    if (codec.name === "vp8") return chosen(codec, "vp8");
    if (codec.name === "h264" && packetizationMode1(codec.fmtp)) return chosen(codec, "h264");
  }
  return undefined;
}

/** The Opus codec of an audio m-line, if offered. */
export function chooseOpus(media: OfferedMedia): ChosenCodec | undefined {
  const opus = media.codecs.find((c) => c.name === "opus" && c.clockRate === 48_000);
  return opus && chosen(opus, "opus");
}

/** The header extension naming an RTP packet's m-line (RFC 9143 §15). */
export const MID_EXTENSION = "urn:ietf:params:rtp-hdrext:sdes:mid";

/** The header extension naming an RTP packet's simulcast layer (RFC 8852 §3.1). */
export const RID_EXTENSION = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

/** A simulcast the relay receives: the layers offered, and the header extensions naming them. */
export interface SimulcastOffer {
  /** The layers' RIDs, in the offer's order. */
  rids: string[];
  /** The id of the RID header extension, which names each SSRC's layer. */
  ridExtension: number;
  /** The id of the MID header extension, when offered (the answer echoes it). */
  midExtension?: number;
}

/**
 * The simulcast an offer's video m-line sends, if it sends one the relay
 * can tell apart (its packets name their layer in the RID header
 * extension); undefined for a single stream. libdatachannel hands a track
 * the packets whose SSRC the offer signals (`a=ssrc`), or every packet
 * when the session has a single media m-line; Chrome signals no SSRCs for
 * its simulcast layers, so beside audio (or any other media m-line) its
 * video would be dropped unseen.
 *
 * @example
 * ```ts
 * import { chooseSimulcast, parseOffer } from "./sdp.ts";
 * const media = parseOffer(
 *   "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=rtpmap:96 VP8/90000\r\n" +
 *     "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n" +
 *     "a=rid:q send\r\na=rid:f send\r\na=simulcast:send q;f\r\n",
 * );
 * if (chooseSimulcast(media[0], media)?.rids.join() !== "q,f") throw new Error();
 * ```
 *
 * @throws {TypeError} when the offer sends simulcast without SSRCs beside other media
 */
export function chooseSimulcast(
  video: OfferedMedia,
  media: OfferedMedia[],
): SimulcastOffer | undefined {
  if (video.rids.length === 0) return undefined;
  const others = media.filter((m) => m !== video && (m.kind === "audio" || m.kind === "video"));
  if (others.length > 0 && video.ssrcs.length === 0) {
    throw new TypeError(
      "simulcast with audio needs its SSRCs signalled; publish video-only simulcast or " +
        "without simulcast",
    );
  }
  const ridExtension = video.extensions[RID_EXTENSION];
  // Without RID extension the layers cannot be told apart: answered without
  // simulcast, the offerer sends its first layer alone.
  if (!ridExtension) return undefined;
  const midExtension = video.extensions[MID_EXTENSION];
  return { rids: video.rids, ridExtension, ...(midExtension ? { midExtension } : {}) };
}

/**
 * The RIDs of an `a=simulcast` value's send streams (RFC 8853 §5.1:
 * `send 1;2,3 recv 4`, `;` between streams, `,` between alternatives, `~`
 * before a paused one).
 */
function simulcastSends(value: string): string[] {
  const words = value.trim().split(/\s+/);
  const at = words.indexOf("send");
  if (at < 0 || at + 1 >= words.length) return [];
  return words[at + 1].split(";").map((stream) => stream.split(",")[0].replace(/^~/, ""))
    .filter((rid) => /^[A-Za-z0-9_-]+$/.test(rid));
}

function chosen<Name extends VideoCodec | "opus">(
  codec: OfferedCodec,
  name: Name,
): ChosenCodec<Name> {
  return { payloadType: codec.payloadType, name, clockRate: codec.clockRate, fmtp: codec.fmtp };
}

function packetizationMode1(fmtp: string): boolean {
  return /(^|;)\s*packetization-mode=1\b/.test(fmtp);
}

function profileLevelId(fmtp: string): string {
  return /profile-level-id=([0-9a-f]{6})/i.exec(fmtp)?.[1].toLowerCase() ?? "42e01f";
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}
