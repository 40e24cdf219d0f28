/// <reference lib="dom" />
/**
 * The directory: the streams live now, as cards a phone shows one under
 * the other: a poster, the title, the creator, the price per minute in the
 * chain's token, the viewers (counted on this node, and labelled so) and a
 * Watch button. "Live" is the node's word after asking the stream's
 * carriers (`GET /relay/live/{stream}`): a stream live on chain whose
 * publisher is not sending is listed apart, as waiting for its creator.
 *
 * The poster is the frame the creator's studio put on the relay (`GET
 * /relay/poster/{stream}`; the relay does not decode video), for a stream
 * being published; otherwise, or until it loads, one drawn from the
 * stream's id and title.
 *
 * @module
 */
import type { App } from "../app.ts";
import { errorText, h, short, show } from "../dom.ts";
import { fetchLiveness, type StreamLiveness } from "../liveness.ts";

/** A stream as `Streams.Streams` stores it (JSON). */
export interface StreamInfo {
  creator: string;
  title: string;
  pricePerSecond: number | string;
  meta: string;
  status: "Created" | "Live" | "Ended";
  createdAt: number;
}

/** A stream live on chain, with what the node says of its publisher. */
interface Listed {
  id: number;
  info: StreamInfo;
  liveness?: StreamLiveness;
}

/** Least time between two refreshes on new blocks, in ms (each asks the relay per stream). */
const REFRESH_MS = 5_000;

/** Mounts the directory into `root`. */
export function mountStreams(app: App, root: HTMLElement): void {
  const live = h("ul", { class: "dir-grid", "data-testid": "directory" });
  const waiting = h("ul", { class: "dir-grid", "data-testid": "directory-offline" });
  const waitingSection = h(
    "section",
    { hidden: true, "aria-labelledby": "directory-offline-title" },
    h("h2", { id: "directory-offline-title" }, "Waiting for their creator"),
    waiting,
  );
  const status = h("p", { class: "status", "data-testid": "directory-status", role: "status" });
  root.append(
    h(
      "section",
      { class: "directory", "aria-labelledby": "directory-title" },
      h("h2", { id: "directory-title" }, "Live now"),
      status,
      live,
    ),
    waitingSection,
  );

  const card = (stream: Listed) => {
    const { id, info } = stream;
    const isLive = stream.liveness?.publishing === true;
    const perMinute = BigInt(info.pricePerSecond) * 60n;
    const viewers = stream.liveness?.viewersHere ?? 0;
    const watch = h(
      "button",
      {
        type: "button",
        class: isLive ? "primary" : "",
        "data-testid": "directory-watch",
        "aria-label": `${isLive ? "Watch" : "Open"} ${info.title}`,
        onclick: () => app.navigate("watch", id),
      },
      isLive ? "Watch" : "Open",
    );
    return h(
      "li",
      {
        class: "dir-card",
        "data-testid": "directory-card",
        "data-stream-id": id,
        "data-live": String(isLive),
      },
      poster(id, info.title, isLive),
      h("h3", { "data-testid": "directory-title" }, info.title),
      h(
        "p",
        { class: "by", title: info.creator },
        "by ",
        info.creator === app.address ? "you" : short(info.creator, 8),
      ),
      h(
        "p",
        { class: "price" },
        perMinute === 0n
          ? h("strong", { "data-testid": "directory-price" }, "Free")
          : h("strong", { "data-testid": "directory-price" }, app.amount(perMinute)),
        perMinute === 0n ? "" : " per minute",
      ),
      h(
        "p",
        { class: "viewers", "data-testid": "directory-viewers" },
        `${viewers} watching on this node`,
      ),
      watch,
    );
  };

  let last = 0;
  const refresh = async (now = false) => {
    if (!now && Date.now() - last < REFRESH_MS) return;
    last = Date.now();
    const ids = (await app.chain.entries<number>("Streams", "LiveStreams"))
      .map(([[id]]) => Number(id));
    const listed: Listed[] = await Promise.all(ids.map(async (id) => ({
      id,
      info: (await app.chain.query<StreamInfo | null>("Streams", "Streams", [id]))!,
      // A relay that does not say is not taken at its silence for "live".
      liveness: await fetchLiveness(location.origin, id).catch(() => undefined),
    })));
    const present = listed.filter((s) => s.info).sort((a, b) => b.id - a.id);
    const on = present.filter((s) => s.liveness?.publishing);
    const off = present.filter((s) => !s.liveness?.publishing);
    live.replaceChildren(...on.map(card));
    waiting.replaceChildren(...off.map(card));
    waitingSection.hidden = off.length === 0;
    status.dataset.state = "ok";
    status.className = "status";
    status.replaceChildren(
      on.length ? "" : h(
        "span",
        { "data-testid": "directory-empty" },
        "Nobody is live right now. ",
        h("a", { href: "#", onclick: studio }, "Go live from the Studio"),
      ),
    );
  };
  const studio = (e: Event) => {
    e.preventDefault();
    app.navigate("studio");
  };
  const failed = (e: unknown) => show(status, "error", `Cannot list streams: ${errorText(e)}`);
  app.heads.onBest(() => void refresh().catch(failed));
  app.onAccount(() => void refresh(true).catch(failed));
}

/**
 * A stream's poster: its title's first letter on a colour of its own (from
 * its id), with a badge saying whether it is live; over it, for a live
 * stream, the frame its creator put on the relay, once that loads.
 */
function poster(id: number, title: string, isLive: boolean): HTMLElement {
  const hue = (id * 137) % 360;
  const label = `Poster of ${title}`;
  const initial = h(
    "span",
    { class: "initial", "aria-hidden": "true" },
    [...title.trim()][0] ?? "#",
  );
  const drawn = h(
    "div",
    {
      class: "poster",
      "data-testid": "directory-poster",
      style: `--hue: ${hue}`,
      role: "img",
      "aria-label": label,
    },
    initial,
    h(
      "span",
      { class: "badge", "data-state": isLive ? "live" : "offline" },
      isLive ? "Live" : "Offline",
    ),
  );
  if (!isLive) return drawn;
  // Asked only of live streams: a stream nobody publishes has no frame to give.
  const frame = h("img", {
    class: "frame",
    "data-testid": "directory-poster-image",
    src: `${location.origin}/relay/poster/${id}`,
    alt: label,
    hidden: true,
  });
  frame.onload = () => {
    // The image says what the drawn poster said: the card's box is no longer an image itself.
    drawn.removeAttribute("role");
    drawn.removeAttribute("aria-label");
    initial.hidden = true;
    frame.hidden = false;
  };
  frame.onerror = () => frame.remove();
  drawn.prepend(frame);
  return drawn;
}
