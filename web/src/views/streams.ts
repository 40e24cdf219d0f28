/// <reference lib="dom" />
/**
 * Streams: every stream on chain with its price, status and relays; create
 * one, and for its creator go live or end it; watch a live one.
 *
 * @module
 */
import type { App } from "../app.ts";
import { act, errorText, field, h, short, show } from "../dom.ts";

/** A stream as `Streams.Streams` stores it (JSON). */
export interface StreamInfo {
  creator: string;
  title: string;
  pricePerSecond: number | string;
  meta: string;
  status: "Created" | "Live" | "Ended";
  createdAt: number;
}

/** Least time between two refreshes of the list, in ms. */
const REFRESH_MS = 2_000;

/** Mounts the streams view into `root`. */
export function mountStreams(app: App, root: HTMLElement): void {
  const title = h("input", { "data-testid": "stream-title", maxlength: 128 });
  const price = h("input", { "data-testid": "stream-price", inputmode: "decimal", value: "0.001" });
  const create = h("button", { "data-testid": "stream-create-button", type: "submit" }, "Create");
  const createStatus = h("p", { class: "status", "data-testid": "stream-create-status" });
  const rows = h("tbody", { "data-testid": "streams" });
  const actionStatus = h("p", { class: "status", "data-testid": "stream-action-status" });

  root.append(
    h(
      "form",
      {
        class: "panel",
        onsubmit: (e) => {
          e.preventDefault();
          void act(create, createStatus, async (progress) => {
            const outcome = await app.chain.submit(
              "Streams",
              "createStream",
              { title: title.value, pricePerSecond: app.parse(price.value).toString(), meta: "0x" },
              app.signer().key,
              (status) => progress(`Create stream: ${status}…`),
            );
            const created = outcome.events.find((e) => e.name === "StreamCreated");
            const id = created?.fields.id;
            createStatus.dataset.streamId = String(id);
            void refresh(true);
            return `Created stream #${id}`;
          });
        },
      },
      h("h3", {}, "Create a stream"),
      field("Title", title),
      field(`Price per second (${app.chain.token.symbol})`, price),
      create,
      createStatus,
    ),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["#", "Title", "Creator", "Price / s", "Status", "Relays", ""].map((t) =>
            h("th", {}, t)
          ),
        ),
      ),
      rows,
    ),
    actionStatus,
  );

  const endStream = (button: HTMLButtonElement, id: number) =>
    act(button, actionStatus, async (progress) => {
      await app.chain.submit(
        "Streams",
        "endStream",
        { id },
        app.signer().key,
        (s) => progress(`End stream #${id}: ${s}…`),
      );
      void refresh(true);
      return `Stream #${id} ended`;
    });

  let last = 0;
  const refresh = async (now = false) => {
    if (!now && Date.now() - last < REFRESH_MS) return;
    last = Date.now();
    const [streams, relays] = await Promise.all([
      app.chain.entries<StreamInfo>("Streams", "Streams"),
      app.chain.entries<number>("Streams", "StreamRelays"),
    ]);
    streams.sort(([a], [b]) => Number(b[0]) - Number(a[0]));
    rows.replaceChildren(...streams.map(([[id], s]) => {
      const stream = Number(id);
      const mine = s.creator === app.address;
      const carriers = relays.filter(([[sid]]) => Number(sid) === stream).map(([[, r]]) =>
        String(r)
      );
      const button = (testid: string, label: string, onclick: (e: Event) => void) =>
        h("button", { "data-testid": testid, type: "button", onclick }, label);
      return h(
        "tr",
        { "data-testid": "stream-row", "data-stream-id": stream, "data-status": s.status },
        h("td", {}, String(stream)),
        h("td", { "data-testid": "stream-row-title" }, s.title),
        h("td", { title: s.creator }, mine ? "you" : short(s.creator, 8)),
        h("td", {}, app.amount(s.pricePerSecond)),
        h("td", {}, s.status),
        h("td", { title: carriers.join("\n") }, String(carriers.length)),
        h(
          "td",
          { class: "buttons" },
          mine && s.status !== "Ended" &&
            button("stream-go-live", "Go live", () => app.navigate("live", stream)),
          mine && s.status !== "Ended" &&
            button(
              "stream-end",
              "End",
              (e) => void endStream(e.target as HTMLButtonElement, stream),
            ),
          s.status === "Live" &&
            button("stream-watch", "Watch", () => app.navigate("watch", stream)),
        ),
      );
    }));
    if (!streams.length) rows.append(h("tr", {}, h("td", { colspan: 7 }, "No streams yet")));
  };
  const failed = (e: unknown) =>
    show(actionStatus, "error", `Cannot list streams: ${errorText(e)}`);
  app.heads.onBest(() => void refresh().catch(failed));
  app.onAccount(() => void refresh(true).catch(failed));
}
