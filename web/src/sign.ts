/// <reference lib="dom" />
/**
 * The signing dialog every transaction goes through: what it does, the fee
 * the node quotes for it (`payment_queryInfo` on the transaction as it
 * would be signed), and the free balance left after; Sign or Cancel. Then
 * the transaction is signed in the page and followed to its block, its
 * progress and outcome shown beside the button that started it.
 *
 * @module
 */
import type { App } from "./app.ts";
import type { TxOutcome } from "./chain.ts";
import { act, errorText, h, show } from "./dom.ts";

/** A transaction the page is about to sign, as its dialog shows it. */
export interface TxRequest {
  /** What it does, as the dialog's title: `Transfer`, `Create a stream`, `Go live`. */
  title: string;
  /** What the person checks before signing, as label and value. */
  details: [string, string][];
  pallet: string;
  call: string;
  args: Record<string, unknown>;
  /** Planck it takes from the free balance besides the fee (a transfer's amount, a deposit). */
  spends?: bigint;
  /** Planck the free balance must keep after it (a keep-alive transfer's existential deposit). */
  keep?: bigint;
}

/**
 * Shows `request` in a modal dialog with its fee and the free balance
 * after; resolves `true` once the person signs, `false` when they cancel
 * (the Cancel button or Escape). Sign stays off while the fee and amount
 * are more than the free balance.
 */
export function confirmTx(app: App, request: TxRequest): Promise<boolean> {
  const fee = h("dd", { "data-testid": "sign-fee" }, "Estimating…");
  const after = h("dd", { "data-testid": "sign-balance-after" }, "…");
  const problem = h("p", { class: "status error", "data-testid": "sign-problem", role: "alert" });
  const sign = h(
    "button",
    { "data-testid": "sign-confirm", type: "submit", disabled: true },
    "Sign",
  );
  const cancel = h("button", { "data-testid": "sign-cancel", type: "button" }, "Cancel");
  const heading = h("h2", { id: "sign-title" }, request.title);
  const dialog = h(
    "dialog",
    { class: "sign", "data-testid": "sign-dialog", "aria-labelledby": "sign-title" },
    h(
      "form",
      { method: "dialog" },
      heading,
      h(
        "dl",
        {},
        ...request.details.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
        h("dt", {}, "Network fee"),
        fee,
        h("dt", {}, "Free balance after"),
        after,
      ),
      h("p", { class: "hint" }, `Signed in this browser by ${app.wallet.selected?.name ?? "—"}.`),
      problem,
      h("div", { class: "buttons" }, sign, cancel),
    ),
  );
  document.body.append(dialog);
  const { promise, resolve } = Promise.withResolvers<boolean>();
  const close = (signed: boolean) => {
    resolve(signed);
    dialog.close();
    dialog.remove();
  };
  dialog.addEventListener("cancel", () => close(false));
  cancel.addEventListener("click", () => close(false));
  dialog.querySelector("form")!.addEventListener("submit", (e) => {
    e.preventDefault();
    close(true);
  });
  dialog.showModal();
  cancel.focus();
  void quote(app, request).then(({ planck, free }) => {
    fee.textContent = app.amount(planck);
    fee.dataset.planck = String(planck);
    const left = free - planck - (request.spends ?? 0n);
    after.textContent = app.amount(left < 0n ? 0n : left);
    if (left < (request.keep ?? 0n)) {
      const keep = request.keep ? ` and keep ${app.amount(request.keep)}` : "";
      problem.textContent = `Not enough: this needs ${
        app.amount(planck + (request.spends ?? 0n))
      } with the fee${keep}; the free balance is ${app.amount(free)}`;
      return;
    }
    sign.disabled = false;
    sign.focus();
  }, (e) => {
    fee.textContent = "unknown";
    after.textContent = "unknown";
    problem.textContent = `Cannot estimate the fee: ${errorText(e)}`;
  });
  return promise;
}

/** The fee the node quotes for `request`, and the signer's free balance. */
async function quote(app: App, request: TxRequest): Promise<{ planck: bigint; free: bigint }> {
  const signer = app.signer();
  const [planck, balance] = await Promise.all([
    app.chain.fee(request.pallet, request.call, request.args, signer.key),
    app.balance(),
  ]);
  return { planck, free: balance.free };
}

/**
 * Runs `request` from `button`: the signing dialog, then the transaction
 * signed and followed to its block with each step shown in `status`;
 * `done` turns the outcome into the words shown there. Resolves with the
 * outcome, or `undefined` when cancelled or failed (the reason is shown).
 */
export async function signAndSend(
  app: App,
  button: HTMLButtonElement,
  status: HTMLElement,
  request: TxRequest,
  done: (outcome: TxOutcome) => string,
): Promise<TxOutcome | undefined> {
  try {
    app.signer();
  } catch (e) {
    show(status, "error", errorText(e));
    return undefined;
  }
  if (!await confirmTx(app, request)) {
    status.dataset.state = "idle";
    status.className = "status";
    status.textContent = `${request.title}: cancelled`;
    return undefined;
  }
  let outcome: TxOutcome | undefined;
  await act(button, status, async (progress) => {
    outcome = await app.chain.submit(
      request.pallet,
      request.call,
      request.args,
      app.signer().key,
      (step) => progress(`${request.title}: ${STEPS[step]}…`),
    );
    return done(outcome);
  });
  return outcome;
}

/** A transaction's steps in words. */
const STEPS = {
  signing: "signing",
  submitted: "sent, waiting for a block",
  "in-block": "in a block",
  finalized: "final",
} as const;
