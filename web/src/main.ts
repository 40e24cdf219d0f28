/// <reference lib="dom" />
/**
 * The web app's entry: connects to the node that served the page, starts
 * the light client beside it, then mounts the views and shows the one the
 * URL's hash names (`#explorer`, `#account`, `#streams`, `#live/7`,
 * `#watch/7`).
 *
 * @module
 */
import { App } from "./app.ts";
import { Chain } from "./chain.ts";
import { errorText, h } from "./dom.ts";
import { Heads } from "./heads.ts";
import { PageLight } from "./light.ts";
import { Wallet } from "./wallet.ts";
import { mountAccount } from "./views/account.ts";
import { mountBlocks } from "./views/blocks.ts";
import { mountLive } from "./views/live.ts";
import { mountNetwork } from "./views/network.ts";
import { mountStreams } from "./views/streams.ts";
import { mountWatch } from "./views/watch.ts";

const VIEWS = ["explorer", "account", "streams", "live", "watch"] as const;

const HEALTH_INTERVAL_MS = 10_000;
const HEALTH_TIMEOUT_MS = 5_000;

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
  nodeStatus.dataset.state = "connected";
  nodeStatus.textContent = `Connected to ${name} at ${location.host}`;
  watchConnection(chain, nodeStatus);
  followLight(app, byId("light-status"));

  mountAccountSelect(app, byId("account-select") as HTMLSelectElement);
  mountBlocks(app, byId("explorer-blocks"));
  mountNetwork(app, byId("explorer-network"));
  mountAccount(app, byId("view-account"));
  mountStreams(app, byId("view-streams"));
  const live = mountLive(app, byId("view-live"));
  const watch = mountWatch(app, byId("view-watch"));

  const route = () => {
    const [view, argument] = location.hash.slice(1).split("/");
    const current = VIEWS.includes(view as typeof VIEWS[number]) ? view : "explorer";
    for (const name of VIEWS) {
      byId(`view-${name}`).hidden = name !== current;
      byId(`nav-${name}`).classList.toggle("active", name === current);
    }
    if (argument && current === "live") live.select(argument);
    if (argument && current === "watch") watch.select(argument);
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
    select.replaceChildren(
      ...(accounts.length
        ? accounts.map((a, i) =>
          h(
            "option",
            { value: i, selected: a === app.wallet.selected },
            `${a.name} (${a.scheme}) — ${app.chain.address(a.key.account)}`,
          )
        )
        : [h("option", { value: "" }, "No account: add one on the Account page")]),
    );
  });
}

/**
 * Says so in the header when the node stops answering: the RPC client has no
 * close event, so a health call that gets no answer in time stands for one.
 */
function watchConnection(chain: Chain, status: HTMLElement): void {
  setInterval(async () => {
    const answered = await Promise.race([
      chain.rpc.call("system_health").then(() => true, () => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), HEALTH_TIMEOUT_MS)),
    ]);
    if (answered || status.dataset.state === "disconnected") return;
    status.dataset.state = "disconnected";
    status.textContent = "The node does not answer — reload the page once it is back";
  }, HEALTH_INTERVAL_MS);
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
  const banner = byId("error");
  banner.hidden = false;
  banner.textContent = errorText(error);
}

addEventListener("unhandledrejection", (e) => showError(e.reason));
main().catch((e) => {
  byId("node-status").dataset.state = "error";
  showError(`Cannot start: ${errorText(e)}`);
});
