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
import { act, errorText, field, h, scrollTable, short, show } from "../dom.ts";
import { type Head, Heads } from "../heads.ts";

/** Blocks loaded at a time from the chain's history (and the most kept from new heads above). */
const PAGE = 20;

/** Where the explorer reads blocks: the node, or the page's light client. */
type Source = "node" | "light";

/** A source's chain and heads, once opened. */
interface Opened {
  chain: Chain;
  heads: Heads;
}

/**
 * Mounts the blocks part of the explorer into `root`; `select(target)` shows
 * a block (a number or a hash) in detail.
 */
export function mountBlocks(app: App, root: HTMLElement): { select(target: string): void } {
  const best = h("strong", { "data-testid": "best-number" }, "…");
  const finalized = h("strong", { "data-testid": "finalized-number" }, "…");
  const rows = h("tbody", { "data-testid": "blocks" });
  const detail = h("div", {
    "data-testid": "block-detail",
    class: "detail",
    "aria-live": "polite",
  });
  const query = h("input", {
    "data-testid": "block-search",
    placeholder: "number or 0x hash",
    autocomplete: "off",
  });
  const go = h("button", { "data-testid": "block-search-button", type: "submit" }, "Show block");
  const status = h("span", { class: "status", role: "status" });
  const source = h(
    "select",
    { "data-testid": "explorer-source" },
    h("option", { value: "node" }, "Trusted node"),
    h("option", { value: "light" }, "Light client (proven)"),
  );
  const sourceStatus = h("span", { class: "status", "data-testid": "explorer-source-status" });
  const older = h("button", { "data-testid": "explorer-older", type: "button" }, "Older blocks");
  const historyStatus = h("p", {
    class: "status",
    "data-testid": "explorer-history",
    role: "status",
  });
  let finalizedNumber = 0;
  let current: Source = "node";
  /** The lowest block number listed from history; below it, "Older blocks" loads more. */
  let oldest: number | undefined;
  /** The most rows kept: a page, and another for each page of history asked for. */
  let limit = PAGE;
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
    scrollTable("Blocks", ["#", "Hash", "Extrinsics", "Finality"], rows),
    h("div", { class: "inline" }, older, historyStatus),
    detail,
  );

  /** Lists block `number` (`hash`) in order, unless it is listed already. */
  const list = (number: number, hash: string, extrinsics?: number) => {
    const existing = rows.querySelector<HTMLElement>(`tr[data-number="${number}"]`);
    if (existing?.dataset.hash === hash) return existing;
    existing?.remove();
    const row = h(
      "tr",
      { "data-testid": "block-row", "data-number": number, "data-hash": hash },
      h("td", {}, String(number)),
      h(
        "td",
        {},
        h("a", {
          href: `#/explorer/${hash}`,
          "aria-label": `Block ${number}, ${short(hash)}`,
        }, short(hash)),
      ),
      h("td", { class: "count" }, extrinsics === undefined ? "…" : String(extrinsics)),
      h("td", { class: "finality" }, number <= finalizedNumber ? "finalized" : "best"),
    );
    const after = [...rows.children].find((r) =>
      Number((r as HTMLElement).dataset.number) < number
    );
    rows.insertBefore(row, after ?? null);
    return row;
  };

  /** Fills in a row's extrinsic count from its block. */
  const count = async (chain: Chain, row: HTMLElement) => {
    const block = await chain.rpc.call<{ block: { extrinsics: string[] } } | null>(
      "chain_getBlock",
      [row.dataset.hash],
    );
    if (block) row.querySelector(".count")!.textContent = String(block.block.extrinsics.length);
  };

  const onBest = (head: Head, chain: Chain) => {
    best.textContent = `#${head.number}`;
    best.dataset.number = String(head.number);
    const highest = Number((rows.firstElementChild as HTMLElement | null)?.dataset.number ?? -1);
    void count(chain, list(head.number, head.hash)).catch(() => {});
    if (current === "node" && highest >= 0 && head.number - highest > 1) {
      void fillGap(chain, highest, head.number).catch(() => {});
    }
    // New heads push the oldest rows out, past what was asked for.
    while (rows.children.length > limit) {
      rows.lastElementChild!.remove();
      if (oldest !== undefined) {
        oldest = Number((rows.lastElementChild as HTMLElement).dataset.number);
      }
    }
  };
  /**
   * Lists the blocks between `from` and `to` that no head announced
   * (imported while the page was reconnecting): the page nearest `to`.
   */
  const fillGap = async (chain: Chain, from: number, to: number) => {
    for (let number = to - 1; number > Math.max(from, to - 1 - PAGE); number--) {
      const hash = await chain.rpc.call<string | null>("chain_getBlockHash", [number]);
      if (hash) void count(chain, list(number, hash)).catch(() => {});
    }
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

  /** Lists the `PAGE` blocks below the oldest listed (below the best head at first). */
  const loadOlder = () =>
    act(older, historyStatus, async () => {
      const { chain, heads } = await opened.get("node")!;
      const top = oldest === undefined
        ? heads.best?.number ?? await chain.bestNumber()
        : oldest - 1;
      if (top < 0) return "Back at the genesis block";
      const numbers = Array.from({ length: Math.min(PAGE, top + 1) }, (_, i) => top - i);
      const found = await Promise.all(numbers.map(async (number) => {
        const hash = await chain.rpc.call<string | null>("chain_getBlockHash", [number]);
        if (!hash) return undefined;
        const block = await chain.rpc.call<{ block: { extrinsics: string[] } } | null>(
          "chain_getBlock",
          [hash],
        );
        return { number, hash, extrinsics: block?.block.extrinsics.length };
      }));
      if (current !== "node") return "";
      if (oldest !== undefined) limit += PAGE;
      for (const block of found) if (block) list(block.number, block.hash, block.extrinsics);
      oldest = numbers.at(-1)!;
      older.disabled = oldest === 0;
      return oldest === 0
        ? "Every block back to the genesis block"
        : `Blocks from #${oldest} on, loaded from the node`;
    });
  older.addEventListener("click", () => void loadOlder());

  /** Follows `from`'s heads, each listener acting only while `from` is the source shown. */
  const follow = ({ chain, heads }: Opened, from: Source) => {
    heads.onBest((head) => from === current && onBest(head, chain));
    heads.onFinalized((head) => from === current && onFinalized(head));
  };
  void opened.get("node")!.then((node) => {
    follow(node, "node");
    return loadOlder();
  });

  source.onchange = () => {
    current = source.value as Source;
    rows.replaceChildren();
    detail.replaceChildren();
    finalizedNumber = 0;
    oldest = undefined;
    limit = PAGE;
    root.dataset.source = current;
    older.hidden = current === "light";
    historyStatus.textContent = current === "light"
      ? "The light client lists the finalized blocks it proved since the page opened; " +
        "older history needs a full node (Source: Trusted node)"
      : "";
    if (!opened.has(current)) {
      const light = openLight(app);
      opened.set(current, light);
      void light.then((l) => follow(l, "light"));
    }
    const shown = current;
    act(source, sourceStatus, async () => {
      const { chain, heads } = await opened.get(shown)!;
      if (heads.best) onBest(heads.best, chain);
      if (heads.finalized) onFinalized(heads.finalized);
      if (shown === "node") await loadOlder();
      return shown === "light" ? "Finalized blocks only, each proven" : "";
    });
  };
  show(status, "ok", "");
  return { select: (target) => void open(target) };
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
