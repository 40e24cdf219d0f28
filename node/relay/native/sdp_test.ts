import assert from "node:assert/strict";
import {
  chooseAnsweredVideo,
  chooseOpus,
  chooseSimulcast,
  chooseSourceVideo,
  chooseViewerVideo,
  parseOffer,
} from "./sdp.ts";

/** The shape of a Chrome WHIP offer: VP8 with RTX, H.264 in two modes, Opus, transport-cc. */
const CHROME_OFFER = [
  "v=0",
  "o=- 1 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0 1",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63",
  "a=mid:0",
  "a=sendonly",
  "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
  "a=rtpmap:111 opus/48000/2",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:63 red/48000/2",
  "a=ssrc:1001 cname:c",
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 106",
  "a=mid:1",
  "a=sendonly",
  "a=rtpmap:96 VP8/90000",
  "a=rtcp-fb:96 transport-cc",
  "a=rtpmap:97 rtx/90000",
  "a=fmtp:97 apt=96",
  "a=rtpmap:102 H264/90000",
  "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
  "a=rtpmap:103 H264/90000",
  "a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
  "a=rtpmap:106 H264/90000",
  "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
  "a=ssrc-group:FID 2001 2002",
  "a=ssrc:2001 cname:c",
  "a=ssrc:2002 cname:c",
  "",
].join("\r\n");

Deno.test("parseOffer() reads each m-line's mid, direction, codecs and SSRCs", () => {
  const [audio, video] = parseOffer(CHROME_OFFER);
  assert.equal(audio.kind, "audio");
  assert.equal(audio.mid, "0");
  assert.equal(audio.direction, "sendonly");
  assert.deepEqual(audio.ssrcs, [1001]);
  assert.deepEqual(video.codecs.map((c) => `${c.payloadType} ${c.name}`), [
    "96 vp8",
    "97 rtx",
    "102 h264",
    "103 h264",
    "106 h264",
  ]);
  assert.deepEqual(video.ssrcs, [2001, 2002]);
});

Deno.test("a publisher's video is VP8 first, then H.264 in packetization mode 1, never RTX", () => {
  const [, video] = parseOffer(CHROME_OFFER);
  assert.deepEqual(chooseSourceVideo(video), {
    payloadType: 96,
    name: "vp8",
    clockRate: 90_000,
    fmtp: "",
  });
  const h264Only = { ...video, codecs: video.codecs.filter((c) => c.name !== "vp8") };
  assert.equal(chooseSourceVideo(h264Only)?.payloadType, 103);
  const mode0Only = { ...video, codecs: video.codecs.filter((c) => c.payloadType === 102) };
  assert.equal(chooseSourceVideo(mode0Only), undefined);
});

Deno.test("a viewer gets the source's codec at its own payload type, the same H.264 profile first", () => {
  const [audio, video] = parseOffer(CHROME_OFFER);
  const h264 = { name: "h264" as const, fmtp: "packetization-mode=1;profile-level-id=42e01f" };
  assert.equal(chooseViewerVideo(video, h264)?.payloadType, 106);
  assert.equal(chooseViewerVideo(video, { name: "vp8", fmtp: "" })?.payloadType, 96);
  assert.equal(chooseViewerVideo(audio, h264), undefined);
  assert.equal(chooseOpus(audio)?.payloadType, 111);
  assert.equal(chooseOpus(audio)?.fmtp, "minptime=10;useinbandfec=1");
});

Deno.test("a pull's video is the answer's first codec the relay forwards, H.264 or VP8", () => {
  const [, video] = parseOffer(CHROME_OFFER);
  assert.equal(chooseAnsweredVideo(video)?.name, "vp8");
  const [vp8, rtx, mode0, mode1] = video.codecs;
  const h264First = { ...video, codecs: [rtx, mode0, mode1, vp8] };
  assert.equal(
    chooseAnsweredVideo(h264First)?.payloadType,
    103,
    "the answer's order, RTX and mode 0 skipped",
  );
  assert.equal(chooseAnsweredVideo({ ...video, codecs: [video.codecs[1]] }), undefined);
});

Deno.test("parseOffer() refuses what is not an offer it can answer, saying why", () => {
  assert.throws(() => parseOffer("hello"), /not SDP/);
  assert.throws(() => parseOffer("v=0\r\n"), /no m-lines/);
  assert.throws(() => parseOffer("v=0\r\nm=video 9 RTP/AVP 96\r\n"), /video m-line has no mid/);
});

/** The video m-line of a Chrome simulcast offer: three RIDs, no SSRCs. */
const SIMULCAST_VIDEO = [
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
  "a=mid:1",
  "a=sendonly",
  "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
  "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
  "a=extmap:11/sendonly urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
  "a=rtpmap:96 VP8/90000",
  "a=rtpmap:97 rtx/90000",
  "a=rid:q send",
  "a=rid:h send",
  "a=rid:f send",
  "a=simulcast:send q;h;f",
];

const AUDIO = [
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "a=mid:0",
  "a=sendonly",
  "a=rtpmap:111 opus/48000/2",
];

function offer(...sections: string[][]): string {
  return ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", ...sections.flat(), ""].join("\r\n");
}

Deno.test("parseOffer() reads a simulcast's RIDs in its order, and the header extensions' ids", () => {
  const [video] = parseOffer(offer(SIMULCAST_VIDEO));
  assert.deepEqual(video.rids, ["q", "h", "f"]);
  assert.deepEqual(video.extensions, {
    "urn:ietf:params:rtp-hdrext:sdes:mid": 4,
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id": 10,
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id": 11,
  });
  assert.deepEqual(video.ssrcs, []);
  const [reordered] = parseOffer(
    offer([...SIMULCAST_VIDEO.slice(0, -1), "a=simulcast:send f,x;~h;q recv r"]),
  );
  assert.deepEqual(reordered.rids, ["f", "h", "q"], "first alternatives, paused ones too");
  const [, single] = parseOffer(CHROME_OFFER);
  assert.deepEqual(single.rids, []);
});

Deno.test("a simulcast is received video-only or with its SSRCs signalled, and refused beside audio without", () => {
  const media = parseOffer(offer(SIMULCAST_VIDEO));
  assert.deepEqual(chooseSimulcast(media[0], media), {
    rids: ["q", "h", "f"],
    ridExtension: 10,
    midExtension: 4,
  });
  const withAudio = parseOffer(offer(AUDIO, SIMULCAST_VIDEO));
  assert.throws(
    () => chooseSimulcast(withAudio[1], withAudio),
    /simulcast with audio needs its SSRCs signalled; publish video-only simulcast or without simulcast/,
  );
  const signalled = parseOffer(
    offer(AUDIO, [...SIMULCAST_VIDEO, "a=ssrc:1 cname:c", "a=ssrc:2 cname:c"]),
  );
  assert.equal(chooseSimulcast(signalled[1], signalled)?.ridExtension, 10, "an OBS-like offer");
  const noRid = parseOffer(offer(SIMULCAST_VIDEO.filter((l) => !l.includes("rtp-stream-id"))));
  assert.equal(
    chooseSimulcast(noRid[0], noRid),
    undefined,
    "layers it cannot tell apart: one stream",
  );
  const [, single] = parseOffer(CHROME_OFFER);
  assert.equal(chooseSimulcast(single, parseOffer(CHROME_OFFER)), undefined);
});
