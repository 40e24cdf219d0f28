/**
 * The page of the interop tests, bundled for Chromium by `_interop.ts`:
 * WHIP and WHEP clients that this project did not write, used as their
 * READMEs show, publishing Chromium's fake camera and microphone or playing
 * into the page's `<video>`. The test drives it through `globalThis.interop`
 * (its methods are `InteropPage` in `_interop.ts`).
 *
 * - `whip-whep` (medooze): the WHIP and WHEP specs' author's reference
 *   clients. They post the offer before ICE gathering starts (no candidates
 *   in it) and trickle every candidate by `PATCH`.
 * - `@eyevinn/whip-web-client`: asks `OPTIONS` whether `PATCH` is allowed
 *   (from another origin it cannot read the answer, so it does not
 *   trickle), waits for gathering and posts a complete offer.
 * - `@eyevinn/webrtc-player`: a complete offer after gathering; its
 *   `authKey` is sent as the whole `Authorization` value.
 *
 * JavaScript, not TypeScript: its DOM types would have to be checked in
 * the same program as the Deno code of `tests/`, where they do not fit.
 *
 * @module
 */
import { WHEPClient } from "whip-whep/whep.js";
import { WHIPClient } from "whip-whep/whip.js";
import { WHIPClient as EyevinnWhipClient } from "@eyevinn/whip-web-client";
import { WebRTCPlayer } from "@eyevinn/webrtc-player";

const video = document.querySelector("video");
/** What the clients reported: player events, failures, rejections. */
const events = [];
let stopClient = () => Promise.resolve();

// Every peer connection a client makes is remembered, so that the test can
// read its state and statistics without reaching into the client.
const peers = [];
const NativePeerConnection = globalThis.RTCPeerConnection;
globalThis.RTCPeerConnection = class extends NativePeerConnection {
  constructor(config) {
    super(config);
    peers.push(this);
  }
};

globalThis.addEventListener("unhandledrejection", (e) => events.push(`rejection: ${e.reason}`));

let presented = 0;
const countFrames = () =>
  video.requestVideoFrameCallback((_now, metadata) => {
    presented = metadata.presentedFrames;
    countFrames();
  });
countFrames();

function camera() {
  return navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
}

/**
 * The browser's `codec` entries and their retransmission format, for an
 * offer of that codec alone (the relay answers in its own order of
 * preference, VP8 first, when an offer lists both); throws when this
 * Chromium cannot send it.
 */
function only(codec) {
  const codecs = RTCRtpSender.getCapabilities("video")?.codecs ?? [];
  const wanted = codecs.filter((c) => c.mimeType === `video/${codec}`);
  if (wanted.length === 0) throw new Error(`This Chromium cannot send ${codec}`);
  return [...wanted, ...codecs.filter((c) => c.mimeType === "video/rtx")];
}

globalThis.interop = {
  async publishWithMedooze(url, token, codec) {
    const media = await camera();
    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    for (const track of media.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: "sendonly" });
      if (track.kind === "video") transceiver.setCodecPreferences(only(codec));
    }
    const whip = new WHIPClient();
    stopClient = () => whip.stop();
    await whip.publish(pc, url, token);
  },

  async publishWithEyevinn(url, token) {
    const client = new EyevinnWhipClient({
      endpoint: url,
      // No iceServers would mean Google's STUN server: loopback needs none.
      opts: { iceServers: [], authkey: token },
    });
    stopClient = () => client.destroy();
    await client.ingest(await camera());
  },

  async playWithMedooze(url, token) {
    const pc = new RTCPeerConnection({ bundlePolicy: "max-bundle" });
    pc.addTransceiver("audio");
    pc.addTransceiver("video");
    pc.ontrack = (event) => {
      if (event.track.kind === "video") video.srcObject = event.streams[0];
    };
    const whep = new WHEPClient();
    stopClient = () => whep.stop();
    try {
      await whep.view(pc, url, token);
    } catch (e) {
      events.push(`view: ${e.message}`);
      throw e;
    }
  },

  async playWithEyevinn(url, token) {
    // No iceServers would mean Google's STUN server here too.
    const player = new WebRTCPlayer({ video, type: "whep", iceServers: [] });
    for (
      const name of [
        "no-media",
        "media-recovered",
        "peer-connection-failed",
        "initial-connection-failed",
        "connect-error",
      ]
    ) {
      player.on(name, () => events.push(name));
    }
    stopClient = () => player.unload();
    await player.load(new URL(url), `Bearer ${token}`);
  },

  stop: () => stopClient(),

  async state() {
    const pc = peers.at(-1);
    let codec;
    if (pc) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if ((s.type === "outbound-rtp" || s.type === "inbound-rtp") && s.kind === "video") {
          codec = stats.get(s.codecId)?.mimeType ?? codec;
        }
      });
    }
    return {
      connection: pc?.connectionState ?? "none",
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
      presented,
      width: video.videoWidth,
      codec,
      events: [...events],
    };
  },
};
