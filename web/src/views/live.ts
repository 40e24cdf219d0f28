/// <reference lib="dom" />
/**
 * Go live: the camera and microphone published by WHIP to this node, the
 * stream put live on chain first if it is not, with the bitrate sent and
 * the viewers the relay counts.
 *
 * @module
 */
import { endSession } from "../../../client/relay/whep_client.ts";
import type { App } from "../app.ts";
import { act, errorText, field, h, show } from "../dom.ts";
import { Bitrate, ConnectionWatch, formatBitrate, rtpTotals, startSession } from "../media/rtc.ts";
import type { StreamInfo } from "./streams.ts";

interface Publishing {
  pc: RTCPeerConnection;
  media: MediaStream;
  location: string;
  token: string;
  timer?: ReturnType<typeof setInterval>;
}

/** Mounts the go-live view into `root`; `select(id)` picks the stream to publish. */
export function mountLive(app: App, root: HTMLElement): { select(id: string): void } {
  const streamId = h("input", { "data-testid": "live-stream-id", inputmode: "numeric" });
  const start = h("button", { "data-testid": "live-start", type: "submit" }, "Go live");
  const stop = h("button", { "data-testid": "live-stop", type: "button", disabled: true }, "Stop");
  const end = h("button", { "data-testid": "live-end", type: "button" }, "End stream");
  const status = h("p", { class: "status", "data-testid": "live-status", "data-state": "idle" });
  const preview = h("video", { "data-testid": "live-preview", muted: true, playsinline: true });
  const bitrate = h("strong", { "data-testid": "live-bitrate" }, "—");
  const viewers = h("strong", { "data-testid": "live-viewers" }, "—");
  let publishing: Publishing | undefined;

  const halt = async () => {
    const p = publishing;
    publishing = undefined;
    if (!p) return;
    clearInterval(p.timer);
    p.media.getTracks().forEach((track) => track.stop());
    p.pc.close();
    preview.srcObject = null;
    bitrate.textContent = viewers.textContent = "—";
    stop.disabled = true;
    await endSession(p.location, p.token).catch(() => {});
  };

  const goLive = async (progress: (text: string) => void) => {
    await halt();
    const id = Number(streamId.value);
    await ensureLive(app, id, progress);
    const p = await publish(app, id, preview, progress);
    // Which session publishes: a reconnect is a new one.
    preview.dataset.session = p.location;
    publishing = p;
    const rate = new Bitrate();
    const connection = new ConnectionWatch(p.pc);
    p.timer = setInterval(async () => {
      if (connection.lost()) {
        // The relay (or its media worker) went away: publish again, as an encoder does.
        clearInterval(p.timer);
        show(status, "pending", "The connection to the relay was lost: reconnecting…");
        return void act(start, status, goLive);
      }
      const sent = await rtpTotals(p.pc, "outbound-rtp");
      bitrate.textContent = formatBitrate(rate.sample(sent.bytes, performance.now()));
      viewers.textContent = await viewerCount(id);
    }, 1000);
    stop.disabled = false;
    return `Live: stream #${id} is published to this node`;
  };

  root.append(
    h(
      "form",
      {
        class: "panel",
        onsubmit: (e) => {
          e.preventDefault();
          void act(start, status, goLive);
        },
      },
      h("h3", {}, "Go live"),
      field("Stream #", streamId, "One of your streams (create it on the Streams page)"),
      h("div", { class: "buttons" }, start, stop, end),
      status,
      h("p", {}, "Sending ", bitrate, " · viewers ", viewers),
      preview,
    ),
  );
  stop.addEventListener("click", () => {
    void halt().then(() =>
      show(status, "ok", "Stopped publishing (the stream stays live on chain)")
    );
  });
  end.addEventListener("click", () =>
    void act(end, status, async (progress) => {
      await halt();
      const id = Number(streamId.value);
      await app.chain.submit("Streams", "endStream", { id }, app.signer().key, (s) =>
        progress(`End stream: ${s}…`));
      return `Stream #${id} ended`;
    }));
  return { select: (id) => void (streamId.value = id) };
}

/** Puts stream `id` live on chain unless it is, after checking that it can be. */
async function ensureLive(app: App, id: number, progress: (text: string) => void): Promise<void> {
  const stream = await app.chain.query<StreamInfo | null>("Streams", "Streams", [id]);
  if (!stream) throw new Error(`There is no stream #${id}`);
  if (stream.creator !== app.address) {
    throw new Error(`Stream #${id} belongs to ${stream.creator}; select that account to publish`);
  }
  if (stream.status === "Ended") throw new Error(`Stream #${id} has ended`);
  if (stream.status === "Live") return;
  await app.chain.submit(
    "Streams",
    "goLive",
    { id },
    app.signer().key,
    (s) => progress(`Go live on chain: ${s}…`),
  );
}

async function publish(
  app: App,
  id: number,
  preview: HTMLVideoElement,
  progress: (text: string) => void,
): Promise<Publishing> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error("This page cannot use the camera: open it over https or on localhost");
  }
  progress("Asking for the camera and microphone…");
  const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
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
    throw new Error(`Cannot publish: ${(e as Error).message}`);
  }
}

/** The viewers of stream `id` on this node, from `GET /relay/streams`; `—` if unknown. */
async function viewerCount(id: number): Promise<string> {
  try {
    const response = await fetch(`${location.origin}/relay/streams`);
    if (!response.ok) return "—";
    const carried: { stream: number; viewers: number }[] = await response.json();
    return String(carried.find((s) => s.stream === id)?.viewers ?? 0);
  } catch (e) {
    return `— (${errorText(e)})`;
  }
}
