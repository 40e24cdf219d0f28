/// <reference lib="dom" />
/**
 * The studio's OBS panel: the two fields OBS's WHIP output asks for (the
 * server URL and the bearer token), as the CLI's `stream token` prints
 * them: a publish token for the stream picked, signed in the page by its
 * creator, for this node, good for a day.
 *
 * @module
 */
import { MAX_TOKEN_SECONDS } from "../../../client/relay/token.ts";
import type { App } from "../app.ts";
import { errorText, field, h, show } from "../dom.ts";

/** The panel, and `update(id)` to follow the stream picked (`undefined`: none). */
export interface ObsPanel {
  element: HTMLElement;
  update(id: number | undefined, live: boolean): void;
}

/**
 * Builds the OBS panel; `goLiveOnChain(button, status)` puts the stream
 * picked live on chain (OBS can publish only then), signed from `button`
 * with its progress in `status`.
 */
export function obsPanel(
  app: App,
  goLiveOnChain: (button: HTMLButtonElement, status: HTMLElement) => Promise<void>,
): ObsPanel {
  const url = h("input", { "data-testid": "obs-url", readonly: true, value: "" });
  const token = h("input", { "data-testid": "obs-token", readonly: true, value: "" });
  const expires = h("p", { class: "hint", "data-testid": "obs-expires" });
  const make = h("button", { "data-testid": "obs-make-token", type: "button" }, "Make a token");
  const status = h("p", { class: "status", "data-testid": "obs-status", role: "status" });
  const onChain = h(
    "button",
    { "data-testid": "obs-go-live", type: "button" },
    "Put it live on chain",
  );
  const offChain = h(
    "p",
    { class: "hint", "data-testid": "obs-not-live" },
    "The node takes OBS's stream once it is live on chain: ",
    onChain,
  );
  onChain.addEventListener("click", () => void goLiveOnChain(onChain, status));
  const copy = (input: HTMLInputElement, what: string) =>
    h("button", {
      type: "button",
      "data-testid": `${input.dataset.testid}-copy`,
      "aria-label": `Copy the ${what}`,
      onclick: () => {
        input.select();
        navigator.clipboard?.writeText(input.value).then(
          () => show(status, "ok", `Copied the ${what}`),
          () => show(status, "ok", `Selected the ${what}: copy it with Ctrl+C`),
        );
      },
    }, "Copy");
  let stream: number | undefined;

  make.addEventListener("click", () => {
    if (stream === undefined) return;
    try {
      const seconds = MAX_TOKEN_SECONDS.publish;
      token.value = app.relayToken(stream, "publish", location.origin, seconds);
      expires.textContent =
        `Good until ${new Date(Date.now() + seconds * 1000).toLocaleString()}; ` +
        "make another when it runs out (a session already going outlives it)";
      show(status, "ok", `A token to publish stream #${stream}`);
    } catch (e) {
      show(status, "error", errorText(e));
    }
  });

  const element = h(
    "section",
    { class: "panel", "aria-labelledby": "obs-heading", "data-testid": "obs-panel" },
    h("h3", { id: "obs-heading" }, "Stream from OBS"),
    h(
      "p",
      { class: "hint" },
      "In OBS: Settings → Stream → Service “WHIP”; paste the server and the bearer token.",
    ),
    offChain,
    h("div", { class: "copyable" }, field("Server (WHIP URL)", url), copy(url, "server URL")),
    h("div", { class: "copyable" }, field("Bearer token", token), copy(token, "token")),
    expires,
    make,
    status,
  );
  return {
    element,
    update(id, live) {
      if (id !== stream) {
        token.value = "";
        expires.textContent = "";
        status.textContent = "";
      }
      stream = id;
      url.value = id === undefined ? "" : `${location.origin}/whip/${id}`;
      make.disabled = id === undefined;
      offChain.hidden = id === undefined || live;
      element.dataset.live = String(live);
    },
  };
}
