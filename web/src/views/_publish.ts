/// <reference lib="dom" />
/**
 * Publishing from the page: the camera and microphone (or the screen) sent
 * by WHIP to this node, with a publish token signed in the page.
 *
 * @module
 */
import { endSession } from "../../../client/relay/whep_client.ts";
import type { App } from "../app.ts";
import { startSession } from "../media/rtc.ts";

/** What the studio publishes: the camera and microphone, or a screen (or window, or tab). */
export type Source = "camera" | "screen";

/** A publishing session: its peer connection, media, and WHIP session. */
export interface Publishing {
  pc: RTCPeerConnection;
  media: MediaStream;
  /** The WHIP session's URL (a reconnect is a new one). */
  location: string;
  token: string;
}

/** The media of `source`, asked of the browser (which asks the person). */
async function capture(source: Source): Promise<MediaStream> {
  const devices = navigator.mediaDevices;
  if (!devices?.getUserMedia) {
    throw new Error("This page cannot use the camera: open it over https or on localhost");
  }
  if (source === "screen") {
    if (!devices.getDisplayMedia) throw new Error("This browser cannot share a screen");
    return await devices.getDisplayMedia({ video: true, audio: true });
  }
  return await devices.getUserMedia({ video: true, audio: true });
}

/**
 * Publishes `source` as stream `id` to this page's node, previewing it in
 * `preview`.
 *
 * @throws {Error} `Cannot publish: …` when the relay refuses the session
 */
export async function publish(
  app: App,
  id: number,
  source: Source,
  preview: HTMLVideoElement,
  progress: (text: string) => void,
): Promise<Publishing> {
  progress(source === "screen" ? "Asking which screen to share…" : "Asking for the camera…");
  const media = await capture(source);
  preview.srcObject = media;
  void preview.play().catch(() => {});
  const pc = new RTCPeerConnection();
  for (const track of media.getTracks()) {
    pc.addTransceiver(track, { direction: "sendonly", streams: [media] });
  }
  const token = app.relayToken(id, "publish");
  try {
    const exchange = await startSession(pc, `${location.origin}/whip/${id}`, token, progress);
    return { pc, media, location: exchange.location, token };
  } catch (e) {
    media.getTracks().forEach((track) => track.stop());
    pc.close();
    throw new Error(`Cannot publish: ${(e as Error).message}`);
  }
}

/** Stops `publishing`: its media, its peer connection, and its WHIP session on the relay. */
export async function unpublish(publishing: Publishing): Promise<void> {
  publishing.media.getTracks().forEach((track) => track.stop());
  publishing.pc.close();
  await endSession(publishing.location, publishing.token).catch(() => {});
}
