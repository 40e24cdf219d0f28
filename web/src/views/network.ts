/// <reference lib="dom" />
/**
 * Explorer, network: the validators of the current era with their stake,
 * commission, reward points and QoS score, and the node's peers.
 *
 * @module
 */
import { ConnectionLost } from "../../../client/rpc_client.ts";
import type { App } from "../app.ts";
import { errorText, h, scrollTable, short } from "../dom.ts";

/** Least time between two refreshes of the tables, in ms. */
const REFRESH_MS = 5_000;

interface EraPoints {
  total: number;
  individual: { who: string; points: number }[];
}

/** Mounts validators and peers into `root`; they refresh as blocks finalize. */
export function mountNetwork(app: App, root: HTMLElement): void {
  const validators = h("tbody", { "data-testid": "validators" });
  const peers = h("tbody", { "data-testid": "peers" });
  const era = h("span", { "data-testid": "validators-era" });
  const peerCount = h("span", { "data-testid": "peer-count" });
  const error = h("p", { class: "status error", "data-testid": "network-error" });
  root.append(
    h("h3", {}, "Validators ", era),
    scrollTable(
      "Validators",
      ["Stash", "Stake (total / own)", "Commission", "Era points", "QoS score"],
      validators,
    ),
    h("h3", {}, "Peers ", peerCount),
    scrollTable("Peers", ["Peer id", "Roles", "Best"], peers),
    error,
  );

  let last = 0;
  let running = false;
  const refresh = async () => {
    if (running || Date.now() - last < REFRESH_MS) return;
    running = true;
    try {
      await Promise.all([showValidators(app, validators, era), showPeers(app, peers, peerCount)]);
      error.textContent = "";
      last = Date.now();
    } catch (e) {
      // Unreachable node: the header says so, and the next block after it is back refreshes.
      if (e instanceof ConnectionLost) return;
      error.textContent = `Cannot read the network: ${errorText(e)}`;
    } finally {
      running = false;
    }
  };
  app.heads.onBest(() => void refresh());
}

async function showValidators(app: App, body: HTMLElement, eraLabel: HTMLElement): Promise<void> {
  const { chain } = app;
  const era = await chain.query<number>("Staking", "CurrentEra");
  const [stashes, points, qosEra] = await Promise.all([
    chain.query<string[]>("Staking", "ErasValidators", [era]),
    chain.query<EraPoints>("Staking", "ErasRewardPoints", [era]),
    chain.query<number>("QosRewards", "CurrentEra"),
  ]);
  const rows = await Promise.all(stashes.map(async (stash) => {
    const [exposure, prefs, qos] = await Promise.all([
      chain.query<{ total: number | string; own: number | string } | null>(
        "Staking",
        "ErasStakersOverview",
        [era, stash],
      ),
      chain.query<{ commissionPerbill: number } | null>("Staking", "ErasValidatorPrefs", [
        era,
        stash,
      ]),
      chain.query<{ score: number | string } | null>("QosRewards", "EraServices", [qosEra, stash]),
    ]);
    const earned = points.individual.find((p) => p.who === stash)?.points ?? 0;
    return h(
      "tr",
      { "data-testid": "validator-row", "data-address": stash },
      h("td", { title: stash }, short(stash, 8)),
      h("td", {}, exposure ? `${app.amount(exposure.total)} / ${app.amount(exposure.own)}` : "—"),
      h("td", {}, prefs ? `${prefs.commissionPerbill / 1e7}%` : "—"),
      h("td", { "data-testid": "validator-points" }, String(earned)),
      h("td", { "data-testid": "validator-qos" }, qos ? String(qos.score) : "0"),
    );
  }));
  eraLabel.textContent = `(era ${era}, ${points.total} points so far)`;
  body.replaceChildren(...rows);
}

async function showPeers(app: App, body: HTMLElement, count: HTMLElement): Promise<void> {
  const peers = await app.chain.rpc.call<{ peerId: string; roles: string; bestNumber: number }[]>(
    "system_peers",
  );
  count.textContent = `(${peers.length})`;
  count.dataset.count = String(peers.length);
  body.replaceChildren(
    ...(peers.length
      ? peers.map((p) =>
        h(
          "tr",
          { "data-testid": "peer-row" },
          h("td", { title: p.peerId }, short(p.peerId, 10)),
          h("td", {}, p.roles),
          h("td", {}, `#${p.bestNumber}`),
        )
      )
      : [h("tr", {}, h("td", { colspan: 3 }, "No peers"))]),
  );
}
