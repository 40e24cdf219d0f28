/// <reference lib="dom" />
/**
 * Explorer, blocks: best and finalized numbers live, the latest blocks, and
 * one block in detail with its extrinsics and events decoded by metadata.
 *
 * @module
 */
import type { App } from "../app.ts";
import { dispatchErrorText } from "../chain.ts";
import { decodeExtrinsicWith } from "../decode_call.ts";
import { act, errorText, field, h, short, show } from "../dom.ts";
import type { Head } from "../heads.ts";

const RECENT = 12;

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
  let finalizedNumber = 0;

  const open = (target: string) =>
    act(go, status, async () => {
      detail.replaceChildren(await blockDetail(app, target));
      return "";
    });

  root.append(
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

  app.heads.onBest((head: Head) => {
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
  });
  app.heads.onFinalized((head: Head) => {
    finalizedNumber = head.number;
    finalized.textContent = `#${head.number}`;
    finalized.dataset.number = String(head.number);
    for (const row of rows.querySelectorAll<HTMLElement>("tr")) {
      if (Number(row.dataset.number) <= head.number) {
        row.querySelector(".finality")!.textContent = "finalized";
      }
    }
  });
  show(status, "ok", "");
}

async function blockDetail(app: App, target: string): Promise<HTMLElement> {
  const { chain } = app;
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
    { "data-hash": hash },
    h("h3", {}, `Block #${parseInt(header.number, 16)}`),
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
