/// <reference lib="dom" />
/**
 * The studio's "New stream" form: a title (checked against the chain's
 * `Streams.MaxTitleBytes`) and a price per second in the chain's token
 * (with what that makes a minute), signed after the dialog shows the fee
 * and the deposit the stream reserves.
 *
 * @module
 */
import type { App } from "../app.ts";
import { field, h, setProblem, validate } from "../dom.ts";
import { signAndSend } from "../sign.ts";
import { amountProblem, titleProblem } from "../validate.ts";
import { utf8 } from "../../../runtime/primitives/bytes.ts";

/** The title limit when the chain does not say (the streams pallet's). */
const TITLE_BYTES_FALLBACK = 128;

/** The create form; `onCreated` hears the new stream's id. */
export function createStreamForm(app: App, onCreated: (id: number) => void): HTMLElement {
  const maxTitle = app.chain.constant<number>("Streams", "MaxTitleBytes") ?? TITLE_BYTES_FALLBACK;
  const title = h("input", {
    "data-testid": "studio-title",
    autocomplete: "off",
    required: true,
  });
  const price = h("input", {
    "data-testid": "studio-price",
    inputmode: "decimal",
    value: "0.001",
    autocomplete: "off",
  });
  const perMinute = h("small", { "data-testid": "studio-price-minute", class: "hint" });
  const create = h("button", { "data-testid": "studio-create", type: "submit" }, "Create stream");
  const status = h("p", { class: "status", "data-testid": "studio-create-status", role: "status" });
  const { symbol } = app.chain.token;

  const showPerMinute = () => {
    const planck = amountProblem(price.value, app.chain.token, { min: 0n });
    perMinute.textContent = typeof planck === "bigint"
      ? `${app.amount(planck * 60n)} a minute of watching`
      : "";
  };
  price.addEventListener("input", () => {
    setProblem(price, undefined);
    showPerMinute();
  });
  title.addEventListener("input", () => setProblem(title, undefined));
  showPerMinute();

  const submit = async () => {
    const planck = amountProblem(price.value, app.chain.token, { min: 0n });
    const ok = validate([
      [title, titleProblem(title.value, maxTitle)],
      [price, typeof planck === "string" ? planck : undefined],
    ]);
    if (!ok || typeof planck !== "bigint") return;
    const text = title.value.trim();
    const outcome = await signAndSend(app, create, status, {
      title: "Create a stream",
      details: [
        ["Title", text],
        ["Price", `${app.amount(planck)} a second (${app.amount(planck * 60n)} a minute)`],
        ["Deposit reserved", app.amount(deposit(app, text))],
      ],
      pallet: "Streams",
      call: "createStream",
      args: { title: text, pricePerSecond: planck.toString(), meta: "0x" },
      spends: deposit(app, text),
    }, (outcome) => {
      const id = outcome.events.find((e) => e.name === "StreamCreated")?.fields.id;
      status.dataset.streamId = String(id);
      return `Created stream #${id}, “${text}”`;
    });
    if (!outcome) return;
    title.value = "";
    onCreated(Number(status.dataset.streamId));
  };

  return h(
    "form",
    {
      class: "panel",
      "aria-labelledby": "studio-create-heading",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        void submit();
      },
    },
    h("h3", { id: "studio-create-heading" }, "New stream"),
    field("Title", title, `Up to ${maxTitle} bytes`),
    field(`Price per second (${symbol})`, price),
    perMinute,
    create,
    status,
  );
}

/** What a stream of title `text` reserves (base plus per byte), from the chain's constants. */
function deposit(app: App, text: string): bigint {
  const base = BigInt(app.chain.constant<string | number>("Streams", "StreamDepositBase") ?? 0);
  const perByte = BigInt(
    app.chain.constant<string | number>("Streams", "StreamDepositPerByte") ?? 0,
  );
  return base + perByte * BigInt(utf8(text).length);
}
