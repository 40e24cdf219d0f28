/// <reference lib="dom" />
/**
 * The web app's entry: connects to the node that served the page, starts
 * the light client beside it, then mounts the views and shows the one the
 * URL's hash names (see `routes.ts`: `#/streams`, `#/watch/7`,
 * `#/studio`, `#/explorer`, `#/account`).
 *
 * @module
 */
import { ConnectionLost } from "../../client/rpc_client.ts";
import { App } from "./app.ts";
import { Chain } from "./chain.ts";
import { errorText, h } from "./dom.ts";
import { Heads } from "./heads.ts";
import { PageLight } from "./light.ts";
import { parseRoute, routeHash, type View, VIEWS } from "./routes.ts";
import { showConnection } from "./connection.ts";
import { Wallet } from "./wallet.ts";
import { mountAccount } from "./views/account.ts";
import { mountBlocks } from "./views/blocks.ts";
import { mountStudio } from "./views/studio.ts";
import { mountNetwork } from "./views/network.ts";
import { mountStreams } from "./views/streams.ts";
import { mountWatch } from "./views/watch.ts";

/** The title of each view, for the tab and for screen readers when the view changes. */
const TITLES: Record<View, string> = {
  streams: "Live streams",
  watch: "Watch",
  studio: "Studio",
  explorer: "Explorer",
  account: "Account",
};

const byId = (id: string) => document.getElementById(id)!;

async function main(): Promise<void> {
  const nodeStatus = byId("node-status");
  const rpcUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
  const chain = await Chain.connect(rpcUrl);
  const heads = await Heads.follow(chain);
  const light = PageLight.start(chain);
  light.catch(() => {}); // why it is off is shown in the header, once it is mounted
  const app = new App(chain, heads, new Wallet(localStorage), light);
  const name = await chain.rpc.call<string>("system_chain");
  showConnection(chain, name, nodeStatus);
  followLight(app, byId("light-status"));

  mountAccountSelect(app, byId("account-select") as HTMLSelectElement);
  const explorer = mountBlocks(app, byId("explorer-blocks"));
  mountNetwork(app, byId("explorer-network"));
  mountAccount(app, byId("view-account"));
  mountStreams(app, byId("view-streams"));
  const studio = mountStudio(app, byId("view-studio"));
  const watch = mountWatch(app, byId("view-watch"));

  let shown: View | undefined;
  const route = () => {
    const { view, argument } = parseRoute(location.hash);
    const canonical = routeHash(view, argument);
    // An older link (#watch/7, #live/7) is rewritten in place, not added to the history.
    if (location.hash && location.hash !== canonical) history.replaceState(null, "", canonical);
    for (const name of VIEWS) {
      byId(`view-${name}`).hidden = name !== view;
      const link = document.getElementById(`nav-${name}`);
      link?.classList.toggle("active", name === view);
      if (name === view) link?.setAttribute("aria-current", "page");
      else link?.removeAttribute("aria-current");
    }
    document.title = `${TITLES[view]} · Sutantra`;
    if (argument && view === "studio") studio.select(argument);
    if (argument && view === "watch") watch.select(argument);
    if (argument && view === "explorer") explorer.select(argument);
    // A keyboard or screen reader user lands on the new view, not on the link left behind.
    // A new view starts at the top, header in sight, as a new page would.
    if (shown !== undefined && shown !== view) {
      byId(`view-${view}`).focus({ preventScroll: true });
      scrollTo(0, 0);
    }
    shown = view;
  };
  addEventListener("hashchange", route);
  route();
  document.body.dataset.ready = "true";
}

/** The header's account picker: every wallet account, the selected one chosen. */
function mountAccountSelect(app: App, select: HTMLSelectElement): void {
  select.addEventListener("change", () => {
    app.wallet.select(Number(select.value));
    app.accountChanged();
  });
  app.onAccount(() => {
    const accounts = app.wallet.accounts;
    select.disabled = !accounts.length;
    select.replaceChildren(
      ...(accounts.length
        ? accounts.map((a, i) => {
          const address = app.chain.address(a.key.account);
          return h(
            "option",
            { value: i, selected: a === app.wallet.selected, title: address },
            `${a.name} · ${address.slice(0, 6)}…${address.slice(-4)}`,
          );
        })
        : [h("option", { value: "" }, "No account yet")]),
    );
  });
}

/**
 * The header's light client line: where finality stands as the light
 * client checked it, moved on by each finalized head the node announces;
 * or why it is off.
 */
function followLight(app: App, status: HTMLElement): void {
  app.light.then((light) => {
    const kick = light.follow((outcome) => {
      if (outcome instanceof Error) {
        // Often only that no full node has a newer justification yet: a failure
        // says so only while no block was proven final at all.
        status.title = `Last attempt: ${errorText(outcome)}`;
        if (status.dataset.state === "ok") return;
        status.dataset.state = "error";
        status.textContent = `Light client: ${errorText(outcome)}`;
        return;
      }
      status.title = "";
      status.dataset.state = "ok";
      status.dataset.number = String(outcome.number);
      status.textContent = `Light client: #${outcome.number} final, proven (${light.peers} peers)`;
    });
    app.heads.onFinalized(kick);
  }, (e) => {
    status.dataset.state = "off";
    status.textContent = `Light client off: ${errorText(e)}`;
  });
}

function showError(error: unknown): void {
  // The header says when the node is unreachable; each call that failed for it need not.
  if (error instanceof ConnectionLost) return;
  const banner = byId("error");
  banner.hidden = false;
  banner.textContent = errorText(error);
}

addEventListener("unhandledrejection", (e) => showError(e.reason));
main().catch((e) => {
  byId("node-status").dataset.state = "error";
  showError(`Cannot start: ${errorText(e)}`);
});
