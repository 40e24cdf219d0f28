/// <reference lib="dom" />
/**
 * The few DOM helpers the views share: build elements, run an action from a
 * button with its progress and error shown next to it, and turn any error
 * into words a person can act on.
 *
 * @module
 */
import { RemoteError } from "../../client/rpc_client.ts";

/** Attributes of {@link h}: strings, numbers and flags, and `on*` listeners. */
export type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** A child of {@link h}; `null`, `undefined` and `false` are skipped. */
export type Child = Node | string | null | undefined | false;

/**
 * A new element: `h("button", { "data-testid": "go", onclick }, "Go")`.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(
    ...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false),
  );
  return element;
}

let nextId = 0;

/** A fresh element id with `prefix`, for `aria-describedby` and the like. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${++nextId}`;
}

/**
 * A labelled form field: `<label>Text <input …></label>`, with its hint and
 * a place for the reason the value is refused ({@link setProblem}), both
 * read out with the control (`aria-describedby`). The reason's test id is
 * the control's plus `-error`.
 */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  const hintElement = hint ? h("small", { id: uniqueId("hint") }, hint) : undefined;
  const testId = control.dataset.testid;
  const problem = h("small", {
    class: "field-error",
    id: uniqueId("problem"),
    "data-testid": testId && `${testId}-error`,
    "aria-live": "polite",
  });
  control.setAttribute(
    "aria-describedby",
    [hintElement?.id, problem.id].filter(Boolean).join(" "),
  );
  return h("label", { class: "field" }, h("span", {}, label), control, hintElement, problem);
}

/**
 * Shows why `control`'s value is refused beside it (and marks it invalid),
 * or clears that with `undefined`; returns whether there was a problem.
 */
export function setProblem(control: HTMLElement, problem: string | undefined): boolean {
  const slot = control.closest(".field")?.querySelector<HTMLElement>(".field-error");
  if (slot) slot.textContent = problem ?? "";
  if (problem) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
  return problem !== undefined;
}

/**
 * Checks each control with its rule and shows every reason beside its
 * field; focuses the first refused one. True when all are good.
 */
export function validate(checks: [HTMLElement, string | undefined][]): boolean {
  const refused = checks.filter(([control, problem]) => setProblem(control, problem));
  (refused[0]?.[0] as HTMLElement | undefined)?.focus();
  return refused.length === 0;
}

/** An error in words: a pallet error, a JSON-RPC error's reason, or the message. */
export function errorText(error: unknown): string {
  if (error instanceof RemoteError) {
    const data = typeof error.data === "string" ? `: ${error.data}` : "";
    return `${error.message.replace(/ \(-?\d+\).*$/, "")}${data}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The state an {@link act} status element is in (`data-state`). */
export type ActState = "pending" | "ok" | "error";

/** Shows `text` in `status` with `state` as its `data-state` and class. */
export function show(status: HTMLElement, state: ActState, text: string): void {
  status.dataset.state = state;
  status.className = `status ${state}`;
  status.textContent = text;
}

/**
 * Runs `action` for `button`: disables it meanwhile, shows progress and the
 * result (or the error) in `status`. `action` reports progress with its
 * argument and returns the text to show on success.
 */
export async function act(
  button: HTMLButtonElement | HTMLSelectElement,
  status: HTMLElement,
  action: (progress: (text: string) => void) => Promise<string>,
): Promise<void> {
  button.disabled = true;
  show(status, "pending", "Working…");
  // Progress may still arrive once the action is done (a transaction's
  // finality after its block was enough): it must not cover the outcome.
  let settled = false;
  try {
    const outcome = await action((text) => settled || show(status, "pending", text));
    settled = true;
    show(status, "ok", outcome);
  } catch (e) {
    settled = true;
    show(status, "error", errorText(e));
  } finally {
    button.disabled = false;
  }
}

/** `0x1234…abcd`: a hash or key short enough for a table. */
export function short(hex: string, keep = 6): string {
  return hex.length > 2 * keep + 3 ? `${hex.slice(0, keep + 2)}…${hex.slice(-keep)}` : hex;
}

/**
 * A table that scrolls sideways inside its own box when the page is
 * narrower than it (a phone), rather than widening the page: the box is a
 * labelled region a keyboard can focus and scroll.
 */
export function scrollTable(label: string, columns: string[], body: HTMLElement): HTMLElement {
  return h(
    "div",
    { class: "scroll", tabindex: 0, role: "region", "aria-label": label },
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
      body,
    ),
  );
}
