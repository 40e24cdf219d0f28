/**
 * A Chromium page publishing its fake camera (1280×720) as VP8 simulcast:
 * three encodings q, h and f, scaled down 4, 2 and 1 times, as Chrome sends
 * through WHIP.
 *
 * @module
 */
import type { Page } from "playwright-core";

/**
 * Makes the page's simulcast publisher and resolves with its complete
 * offer; with `audio`, the microphone goes beside it. The connection is the
 * page's `globalThis.pc`, unless it has audio (an offer the relay refuses,
 * which must not replace the page's publisher).
 */
export function simulcastOffer(page: Page, audio: boolean): Promise<string> {
  return page.evaluate(`(async () => {
    const pc = new RTCPeerConnection();
    if (!${audio}) globalThis.pc = pc;
    const media = await navigator.mediaDevices.getUserMedia({
      video: { width: 1280, height: 720, frameRate: 30 },
      audio: ${audio},
    });
    const video = pc.addTransceiver(media.getVideoTracks()[0], {
      direction: "sendonly",
      sendEncodings: [
        { rid: "q", scaleResolutionDownBy: 4 },
        { rid: "h", scaleResolutionDownBy: 2 },
        { rid: "f", scaleResolutionDownBy: 1 },
      ],
    });
    for (const track of media.getAudioTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    video.setCodecPreferences(
      RTCRtpSender.getCapabilities("video").codecs.filter((c) => c.mimeType === "video/VP8"),
    );
    await pc.setLocalDescription();
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    });
    return pc.localDescription.sdp;
  })()`);
}

/** Applies the relay's `answer` to the page's connection (`globalThis.pc`). */
export function answerIn(page: Page, answer: string): Promise<void> {
  return page.evaluate(
    `globalThis.pc.setRemoteDescription({ type: "answer", sdp: ${JSON.stringify(answer)} })`,
  );
}
