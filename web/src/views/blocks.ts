/// <reference lib="dom" />
/**
 * Explorer, blocks: best and finalized numbers live, the latest blocks, and
 * one block in detail with its extrinsics and events decoded by metadata.
 *
 * The blocks come from the trusted node, or from the page's light client
 * (the "Source" switch): then each is finalized and proven, its header by a
 * justification, its extrinsics by the header's extrinsics root and its
 * events by a read proof; only the node's metadata, which decodes them, is
 * still the node's word.
 *
 * @module
 */
import type { App } from "../app.ts";
import { type Chain, dispatchErrorText } from "../chain.ts";
import { decodeExtrinsicWith } from "../decode_call.ts";
import { act, errorText, field, h, short, show } from "../dom.ts";
import { type Head, Heads } from "../heads.ts";

const RECENT = 12;

/** Where the explorer reads blocks: the node, or the page's light client. */
type Source = "node" | "light";

/** A source's chain and heads, once opened. */
interface Opened {
  chain: Chain;
  heads: Heads;
}

/** Mounts the blocks part of the explorer into `root`. */
export function mountBlocks(app: App, root: HTMLElement): void {
  const best = h("strong", { "data-testid": "best-number" }, "…");
  const finalized = h("strong", { "data-testid": "finalized-number" }, "…");
  const rows = h("tbody", { "data-testid": "blocks" });
  const detail = h("div", { "data-testid": "block-detail", class: "detail" });
  const query = h("input", {
    "data-testid": "block-search",
    placeholder: "number or 0x hash",
    autocomplete: "off",
  });
  const go = h("button", { "data-testid": "block-search-button", type: "submit" }, "Show block");
  const status = h("span", { class: "status" });
  const source = h(
    "select",
    { "data-testid": "explorer-source" },
    h("option", { value: "node" }, "Trusted node"),
    h("option", { value: "light" }, "Light client (proven)"),
  );
  const sourceStatus = h("span", { class: "status", "data-testid": "explorer-source-status" });
  let finalizedNumber = 0;
  let current: Source = "node";
  const opened = new Map<Source, Promise<Opened>>([
    ["node", Promise.resolve({ chain: app.chain, heads: app.heads })],
  ]);

  const open = (target: string) =>
    act(go, status, async () => {
      const { chain } = await opened.get(current)!;
      detail.replaceChildren(await blockDetail(chain, target, current));
      return "";
    });

  root.append(
    h("div", { class: "inline" }, field("Source", source), sourceStatus),
    h(
      "div",
      { class: "cards" },
      h("div", { class: "card" }, h("span", {}, "Best block"), best),
      h("div", { class: "card" }, h("span", {}, "Finalized block"), finalized),
    ),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e) => {
          e.preventDefault();
          void open(query.value.trim());
        },
      },
      field("Find a block", query),
      go,
      status,
    ),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Hash"), h("th", {}, "Finality"))),
      rows,
    ),
    detail,
  );

  const onBest = (head: Head) => {
    best.textContent = `#${head.number}`;
    best.dataset.number = String(head.number);
    const row = h(
      "tr",
      { "data-testid": "block-row", "data-number": head.number, "data-hash": head.hash },
      h("td", {}, String(head.number)),
      h(
        "td",
        {},
        h("a", {
          href: "#",
          onclick: (e) => {
            e.preventDefault();
            void open(head.hash);
          },
        }, short(head.hash)),
      ),
      h("td", { class: "finality" }, head.number <= finalizedNumber ? "finalized" : "best"),
    );
    [...rows.querySelectorAll(`tr[data-number="${head.number}"]`)].forEach((r) => r.remove());
    rows.prepend(row);
    while (rows.children.length > RECENT) rows.lastElementChild!.remove();
  };
  const onFinalized = (head: Head) => {
    finalizedNumber = head.number;
    finalized.textContent = `#${head.number}`;
    finalized.dataset.number = String(head.number);
    for (const row of rows.querySelectorAll<HTMLElement>("tr")) {
      if (Number(row.dataset.number) <= head.number) {
        row.querySelector(".finality")!.textContent = "finalized";
      }
    }
  };
  /** Follows `from`'s heads, each listener acting only while `from` is the source shown. */
  const follow = ({ heads }: Opened, from: Source) => {
    heads.onBest((head) => from === current && onBest(head));
    heads.onFinalized((head) => from === current && onFinalized(head));
  };
  void opened.get("node")!.then((node) => follow(node, "node"));

  source.onchange = () => {
    current = source.value as Source;
    rows.replaceChildren();
    detail.replaceChildren();
    finalizedNumber = 0;
    root.dataset.source = current;
    if (!opened.has(current)) {
      const light = openLight(app);
      opened.set(current, light);
      void light.then((l) => follow(l, "light"));
    }
    const shown = current;
    act(source, sourceStatus, async () => {
      const { heads } = await opened.get(shown)!;
      if (heads.best) onBest(heads.best);
      if (heads.finalized) onFinalized(heads.finalized);
      return shown === "light"
        ? "Finalized blocks only, each proven; older blocks than the light client saw need the node"
        : "";
    });
  };
  show(status, "ok", "");
}

/** The page's light client as the explorer reads it: its RPC, with the node's metadata. */
async function openLight(app: App): Promise<Opened> {
  const light = await app.light;
  const chain = app.chain.over(light.rpc(app.chain, "light client"));
  return { chain, heads: await Heads.follow(chain) };
}

async function blockDetail(chain: Chain, target: string, from: Source): Promise<HTMLElement> {
  const hash = /^\d+$/.test(target)
    ? await chain.rpc.call<string | null>("chain_getBlockHash", [Number(target)])
    : target;
  if (!hash) throw new Error(`No block #${target} yet`);
  const signed = await chain.rpc.call<
    {
      block: {
        header: { number: string; parentHash: string; stateRoot: string };
        extrinsics: string[];
      };
    } | null
  >("chain_getBlock", [hash]);
  if (!signed) throw new Error(`No block ${target}`);
  const { header, extrinsics } = signed.block;
  const events = await chain.events(hash);
  const json = (v: unknown) => JSON.stringify(v);
  return h(
    "div",
    { "data-hash": hash, "data-source": from },
    h("h3", {}, `Block #${parseInt(header.number, 16)}`),
    from === "light"
      ? h(
        "p",
        { class: "verified", "data-testid": "block-proven" },
        "Proven by the light client: finalized by a justification it checked, extrinsics by the " +
          "header's extrinsics root, events by a read proof (decoded with the node's metadata)",
      )
      : null,
    h("p", {}, `Hash ${hash}`),
    h("p", {}, `Parent ${header.parentHash} · state root ${short(header.stateRoot)}`),
    h("h4", {}, `Extrinsics (${extrinsics.length})`),
    h(
      "ol",
      { start: 0, "data-testid": "block-extrinsics" },
      ...extrinsics.map((hex) => {
        try {
          const x = decodeExtrinsicWith(chain.metadata, hex);
          const who = x.signer ? `${x.signer} (nonce ${x.nonce}) → ` : "inherent → ";
          return h("li", {}, `${who}${x.pallet}.${x.call} ${json(x.args)}`);
        } catch (e) {
          return h("li", { class: "error" }, `${short(hex, 12)}: ${errorText(e)}`);
        }
      }),
    ),
    h("h4", {}, `Events (${events.length})`),
    h(
      "ol",
      { start: 0, "data-testid": "block-events" },
      ...events.map((e) =>
        h(
          "li",
          { title: e.docs },
          `${e.phase.tag}${e.phase.value !== undefined ? ` ${e.phase.value}` : ""}: ` +
            `${e.pallet}.${e.name} ${json(e.fields)}` +
            (e.name === "ExtrinsicFailed"
              ? ` — ${dispatchErrorText(chain.metadata, e.fields.dispatchError)}`
              : ""),
        )
      ),
    ),
  );
}
