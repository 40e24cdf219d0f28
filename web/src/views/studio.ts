/// <reference lib="dom" />
/**
 * The studio: a creator's own streams with their viewers and earnings; go
 * live with one of them (picked from the list, never typed) from the camera
 * or a screen, the stream put live on chain first when it is not; the OBS
 * panel for publishing from an encoder instead; end a stream; create one.
 *
 * @module
 */
import { ConnectionLost } from "../../../client/rpc_client.ts";
import type { App } from "../app.ts";
import { act, errorText, field, h, setProblem, show } from "../dom.ts";
import { Bitrate, ConnectionWatch, formatBitrate, rtpTotals } from "../media/rtc.ts";
import { signAndSend } from "../sign.ts";
import { createStreamForm } from "./_create_stream.ts";
import { type MyStream, myStreams, viewersHere } from "./_my_streams.ts";
import { obsPanel } from "./_obs_panel.ts";
import { postPosters } from "./_poster.ts";
import { publish, type Publishing, type Source, unpublish } from "./_publish.ts";

/** What the studio publishes now: the session, its stream, and its stats timer. */
interface Live extends Publishing {
  id: number;
  timer?: ReturnType<typeof setInterval>;
  /** Stops putting its frames as the stream's poster. */
  stopPosters?: () => void;
}

/** Least time between two refreshes of the creator's streams, in ms. */
const REFRESH_MS = 2_000;

/** Mounts the studio into `root`; `select(id)` picks the stream to go live with. */
export function mountStudio(app: App, root: HTMLElement): { select(id: string): void } {
  const picker = h("select", { "data-testid": "studio-stream" });
  const source = h(
    "select",
    { "data-testid": "live-source" },
    h("option", { value: "camera" }, "Camera and microphone"),
    h("option", { value: "screen" }, "Screen, window or tab"),
  );
  const start = h("button", { "data-testid": "live-start", type: "submit" }, "Go live");
  const stop = h("button", { "data-testid": "live-stop", type: "button", disabled: true }, "Stop");
  const end = h("button", { "data-testid": "live-end", type: "button" }, "End stream");
  const status = h("p", {
    class: "status",
    "data-testid": "live-status",
    "data-state": "idle",
    role: "status",
  });
  const preview = h("video", {
    "data-testid": "live-preview",
    muted: true,
    playsinline: true,
    "aria-label": "Preview of what you publish",
  });
  const bitrate = h("strong", { "data-testid": "live-bitrate" }, "—");
  const viewers = h("strong", { "data-testid": "live-viewers" }, "—");
  const earned = h("strong", { "data-testid": "studio-earned" }, "—");
  const list = h("ul", { class: "stream-cards", "data-testid": "studio-streams" });
  const listStatus = h("p", { class: "status", "data-testid": "studio-streams-status" });
  const obs = obsPanel(app, async (button, obsStatus) => {
    const stream = picked();
    if (stream?.info.status === "Created") await putLive(stream, button, obsStatus);
  });
  let streams: MyStream[] = [];
  let wanted: number | undefined;
  let publishing: Live | undefined;

  const picked = (): MyStream | undefined =>
    streams.find((s) => s.id === Number(picker.value) && picker.value !== "");

  const halt = async () => {
    const p = publishing;
    publishing = undefined;
    if (!p) return;
    clearInterval(p.timer);
    p.stopPosters?.();
    preview.srcObject = null;
    bitrate.textContent = "—";
    stop.disabled = true;
    await unpublish(p);
  };

  /** Publishes stream `id` (live on chain already) from the source chosen. */
  const publishNow = async (id: number, progress: (text: string) => void) => {
    await halt();
    const p: Live = { ...await publish(app, id, source.value as Source, preview, progress), id };
    // Which session publishes: a reconnect is a new one.
    preview.dataset.session = p.location;
    publishing = p;
    p.stopPosters = postPosters(app, id, preview);
    const rate = new Bitrate();
    const connection = new ConnectionWatch(p.pc);
    p.timer = setInterval(async () => {
      if (connection.lost()) {
        // The relay (or its media worker) went away: publish again, as an encoder does.
        clearInterval(p.timer);
        show(status, "pending", "The connection to the relay was lost: reconnecting…");
        return void act(start, status, (progress) => publishNow(id, progress));
      }
      const sent = await rtpTotals(p.pc, "outbound-rtp");
      bitrate.textContent = formatBitrate(rate.sample(sent.bytes, performance.now()));
      const here = await viewersHere();
      viewers.textContent = here ? String(here.get(id) ?? 0) : "—";
    }, 1000);
    stop.disabled = false;
    return `Live: stream #${id} is published to this node`;
  };

  const goLive = async () => {
    const stream = picked();
    const problem = !streams.length
      ? "Create a stream first (New stream, below)"
      : stream === undefined
      ? "Pick one of your streams"
      : stream.info.status === "Ended"
      ? "This stream has ended; create another"
      : undefined;
    if (setProblem(picker, problem) || !stream) return picker.focus();
    if (stream.info.status === "Created" && !await putLive(stream, start, status)) return;
    await act(start, status, (progress) => publishNow(stream.id, progress));
  };

  /** Puts `stream` live on chain, signed from `button`; whether it is. */
  const putLive = async (stream: MyStream, button: HTMLButtonElement, line: HTMLElement) => {
    const onChain = await signAndSend(app, button, line, {
      title: "Go live",
      details: [["Stream", `#${stream.id} “${stream.info.title}”`]],
      pallet: "Streams",
      call: "goLive",
      args: { id: stream.id },
    }, () => `Stream #${stream.id} is live on chain`);
    await refresh(true).catch(failed);
    return onChain !== undefined;
  };

  const endStream = async () => {
    const stream = picked();
    if (setProblem(picker, stream ? undefined : "Pick one of your streams") || !stream) return;
    await halt();
    await signAndSend(app, end, status, {
      title: "End the stream",
      details: [
        ["Stream", `#${stream.id} “${stream.info.title}”`],
        ["Then", "It can never go live again; viewers' channels settle"],
      ],
      pallet: "Streams",
      call: "endStream",
      args: { id: stream.id },
    }, () => `Stream #${stream.id} ended`);
    void refresh(true);
  };

  const card = (s: MyStream) =>
    h(
      "li",
      {
        class: "stream-card",
        "data-testid": "studio-stream-row",
        "data-stream-id": s.id,
        "data-status": s.info.status,
      },
      h(
        "div",
        { class: "stream-card-head" },
        h("strong", {}, s.info.title),
        h("span", { class: `badge ${s.info.status.toLowerCase()}` }, s.info.status),
      ),
      h(
        "p",
        {},
        `#${s.id} · ${app.amount(BigInt(s.info.pricePerSecond) * 60n)} a minute`,
      ),
      h(
        "p",
        {},
        `Viewers on this node: ${s.viewers ?? "—"} · earned `,
        h(
          "span",
          { "data-testid": "studio-row-earned", "data-planck": String(s.earned) },
          app.amount(s.earned),
        ),
        ` from ${s.channels} open channel${s.channels === 1 ? "" : "s"}`,
      ),
      s.info.status !== "Ended" &&
        h("button", {
          type: "button",
          "data-testid": "studio-pick",
          "aria-label": `Pick “${s.info.title}” to go live with`,
          onclick: () => {
            picker.value = String(s.id);
            onPick();
            picker.focus();
          },
        }, "Pick"),
    );

  const onPick = () => {
    setProblem(picker, undefined);
    const stream = picked();
    wanted = stream?.id;
    obs.update(stream?.id, stream?.info.status === "Live");
    end.disabled = !stream || stream.info.status === "Ended";
    earned.textContent = stream ? app.amount(stream.earned) : "—";
    earned.dataset.planck = stream ? String(stream.earned) : "";
    if (!publishing) {
      viewers.textContent = stream?.viewers === undefined ? "—" : String(stream.viewers);
    }
    for (const li of list.querySelectorAll<HTMLElement>("li")) {
      li.classList.toggle("picked", li.dataset.streamId === String(stream?.id));
    }
  };
  picker.addEventListener("change", onPick);

  let last = 0;
  const refresh = async (now = false) => {
    if (!now && Date.now() - last < REFRESH_MS) return;
    last = Date.now();
    const who = app.address;
    if (!who) {
      streams = [];
      list.replaceChildren(
        h("li", { class: "empty" }, "Add an account on the Account page first."),
      );
    } else {
      const mine = await myStreams(app, who);
      if (who !== app.address) return;
      streams = mine;
      list.replaceChildren(
        ...(mine.length
          ? mine.map(card)
          : [h("li", { class: "empty" }, "No streams yet: create one.")]),
      );
    }
    const open = streams.filter((s) => s.info.status !== "Ended");
    const keep = wanted ?? (picker.value === "" ? undefined : Number(picker.value));
    picker.replaceChildren(
      ...(open.length
        ? [
          h("option", { value: "" }, "Pick a stream…"),
          ...open.map((s) =>
            h("option", { value: s.id }, `#${s.id} ${s.info.title} (${s.info.status})`)
          ),
        ]
        : [h("option", { value: "" }, "No stream to go live with yet")]),
    );
    // A new creator's only stream is the one to pick; otherwise keep what was picked.
    const choice = open.find((s) => s.id === keep) ?? (open.length === 1 ? open[0] : undefined);
    picker.value = choice ? String(choice.id) : "";
    onPick();
  };
  // Unreachable node: the header says so, and the next block after it is back refreshes.
  const failed = (e: unknown) =>
    e instanceof ConnectionLost ||
    show(listStatus, "error", `Cannot read your streams: ${errorText(e)}`);
  const refreshNow = () => void refresh(true).then(() => listStatus.textContent = "", failed);

  const create = createStreamForm(app, (id) => {
    wanted = id;
    refreshNow();
  });
  root.append(
    h("h2", { tabindex: -1 }, "Studio"),
    h(
      "div",
      { class: "studio" },
      h(
        "form",
        {
          class: "panel golive",
          "aria-labelledby": "golive-heading",
          novalidate: true,
          onsubmit: (e) => {
            e.preventDefault();
            void goLive().catch((e) => show(status, "error", errorText(e)));
          },
        },
        h("h3", { id: "golive-heading" }, "Go live"),
        field("Stream", picker),
        field("Source", source),
        h("div", { class: "buttons" }, start, stop, end),
        status,
        h(
          "p",
          { class: "stats" },
          "Sending ",
          bitrate,
          " · viewers on this node ",
          viewers,
          " · earned ",
          earned,
        ),
        preview,
      ),
      h(
        "div",
        { class: "studio-side" },
        h(
          "section",
          { class: "panel", "aria-labelledby": "studio-streams-heading" },
          h("h3", { id: "studio-streams-heading" }, "Your streams"),
          list,
          listStatus,
        ),
        obs.element,
        create,
      ),
    ),
  );
  stop.addEventListener("click", () => {
    void halt().then(() =>
      show(status, "ok", "Stopped publishing (the stream stays live on chain)")
    );
  });
  end.addEventListener("click", () => void endStream());
  app.heads.onBest(() => void refresh().catch(failed));
  app.onAccount(() => {
    wanted = undefined;
    refreshNow();
  });
  return {
    select: (id) => {
      wanted = Number(id);
      if (streams.some((s) => s.id === wanted)) {
        picker.value = id;
        onPick();
      }
    },
  };
}
