/// <reference lib="dom" />
/**
 * Account: import or generate a key (kept in this browser only), see its
 * balance, and transfer. Every field is checked before anything is added
 * or signed, with the reason beside it; a transfer is signed after the
 * dialog shows its fee.
 *
 * @module
 */
import { ConnectionLost } from "../../../client/rpc_client.ts";
import type { App, Balance } from "../app.ts";
import { errorText, field, h, setProblem, show, validate } from "../dom.ts";
import { KEY_SCHEMES, type KeyScheme } from "../../../runtime/crypto/signer.ts";
import { signAndSend } from "../sign.ts";
import { addressProblem, amountProblem } from "../validate.ts";
import { DEFAULT_SCHEME, generateMnemonic } from "../wallet.ts";

/** What each scheme is to a user choosing one. */
const SCHEME_LABELS: Record<KeyScheme, string> = {
  sr25519: "sr25519 — polkadot.js Apps, subkey and most wallets",
  ed25519: "ed25519 — Sutantra's dev validators, the CLI's default",
  ecdsa: "ecdsa — secp256k1, as Ethereum tools sign",
};

/** Mounts the account view into `root`. */
export function mountAccount(app: App, root: HTMLElement): void {
  const { symbol } = app.chain.token;
  const uri = h("input", {
    "data-testid": "import-uri",
    placeholder: "//Alice, a 12-word mnemonic, or 0x seed",
    autocomplete: "off",
    spellcheck: false,
  });
  const name = h("input", { "data-testid": "import-name", autocomplete: "off" });
  const scheme = h(
    "select",
    { "data-testid": "import-scheme" },
    ...(Object.keys(KEY_SCHEMES) as KeyScheme[]).map((s) =>
      h("option", { value: s, selected: s === DEFAULT_SCHEME }, SCHEME_LABELS[s])
    ),
  );
  const importButton = h("button", { "data-testid": "import-button", type: "submit" }, "Import");
  const generateButton = h(
    "button",
    { "data-testid": "generate-button", type: "button" },
    "Generate a new account",
  );
  const importStatus = h("p", { class: "status", "data-testid": "import-status", role: "status" });
  const phrase = h("p", { class: "phrase", "data-testid": "generated-phrase" });

  const address = h("code", { "data-testid": "account-address" }, "—");
  const accountScheme = h("span", { "data-testid": "account-scheme" }, "—");
  const free = h("strong", { "data-testid": "account-balance" }, "—");
  const reserved = h("span", { "data-testid": "account-reserved" }, "—");
  const nonce = h("span", { "data-testid": "account-nonce" }, "—");
  const planck = h("span", { "data-testid": "account-planck" }, "—");
  const forget = h("button", { "data-testid": "forget-button", type: "button" }, "Forget");

  const to = h("input", {
    "data-testid": "transfer-to",
    placeholder: "SS58 address",
    autocomplete: "off",
    spellcheck: false,
  });
  const amount = h("input", {
    "data-testid": "transfer-amount",
    inputmode: "decimal",
    autocomplete: "off",
  });
  const send = h("button", { "data-testid": "transfer-button", type: "submit" }, "Send");
  const sendStatus = h("p", { class: "status", "data-testid": "transfer-status", role: "status" });
  for (const control of [uri, to, amount]) {
    control.addEventListener("input", () => setProblem(control, undefined));
  }

  let balance: Balance | undefined;
  const addAccount = (secret: string, label?: string) => {
    const added = app.wallet.add(secret, label, scheme.value as KeyScheme);
    app.accountChanged();
    return `Imported ${app.address} (${added.scheme})`;
  };

  const importSecret = () => {
    // An empty import would be the public dev phrase's root: an account anyone can spend from.
    if (!validate([[uri, uri.value.trim() ? undefined : "Enter a secret URI or mnemonic"]])) return;
    try {
      show(importStatus, "ok", addAccount(uri.value, name.value));
    } catch (e) {
      setProblem(uri, `Not a secret this scheme reads: ${errorText(e)}`);
      uri.focus();
      importStatus.textContent = "";
      return;
    }
    uri.value = name.value = phrase.textContent = "";
  };

  const transfer = () => {
    const ed = BigInt(app.chain.constant<string | number>("Balances", "existentialDeposit") ?? 0);
    const sendable = balance ? balance.free - ed : undefined;
    const value = amountProblem(amount.value, app.chain.token, {
      max: sendable === undefined ? undefined : {
        planck: sendable,
        what: ed ? "you can send and keep the account open" : "your free balance",
      },
    });
    const dest = to.value.trim();
    const ok = validate([
      [
        to,
        addressProblem(dest, app.chain.metadata.ss58Format) ??
          (dest === app.address ? "That is this account" : undefined),
      ],
      [amount, typeof value === "string" ? value : undefined],
    ]);
    if (!ok || typeof value !== "bigint") return;
    return signAndSend(app, send, sendStatus, {
      title: "Transfer",
      details: [["To", dest], ["Amount", app.amount(value)]],
      pallet: "Balances",
      call: "transferKeepAlive",
      args: { dest: { Id: dest }, value: value.toString() },
      spends: value,
      keep: ed,
    }, () => {
      void refresh().catch(failed);
      return `Sent ${app.amount(value)} to ${dest}`;
    });
  };

  root.append(
    h("h2", { tabindex: -1 }, "Account"),
    h(
      "div",
      { class: "columns" },
      h(
        "section",
        { class: "panel", "aria-labelledby": "selected-heading" },
        h("h3", { id: "selected-heading" }, "Selected account"),
        h("p", {}, "Address ", address, " · ", accountScheme),
        h("p", { class: "balance" }, "Free balance ", free),
        h("p", {}, "Reserved ", reserved),
        h(
          "details",
          {},
          h("summary", {}, "Details"),
          h("p", {}, "Nonce ", nonce),
          h("p", {}, "In planck (free / reserved) ", planck),
        ),
        forget,
      ),
      h(
        "form",
        {
          class: "panel",
          "aria-labelledby": "transfer-heading",
          novalidate: true,
          onsubmit: (e) => {
            e.preventDefault();
            void transfer();
          },
        },
        h("h3", { id: "transfer-heading" }, "Transfer"),
        field("To", to),
        field(`Amount (${symbol})`, amount),
        send,
        sendStatus,
      ),
      h(
        "form",
        {
          class: "panel",
          "aria-labelledby": "import-heading",
          novalidate: true,
          onsubmit: (e) => {
            e.preventDefault();
            importSecret();
          },
        },
        h("h3", { id: "import-heading" }, "Add an account"),
        field("Secret URI or mnemonic", uri, "Kept in this browser's storage only; never sent."),
        field("Name (optional)", name),
        field(
          "Key scheme",
          scheme,
          "The same secret is another account in another scheme: pick the one your wallet uses.",
        ),
        h("div", { class: "buttons" }, importButton, generateButton),
        phrase,
        importStatus,
      ),
    ),
  );

  generateButton.addEventListener("click", () => {
    const mnemonic = generateMnemonic();
    show(importStatus, "ok", addAccount(mnemonic, "generated"));
    phrase.textContent = `Write this down, it is the only way back to the account: ${mnemonic}`;
  });
  forget.addEventListener("click", () => {
    app.wallet.forgetSelected();
    app.accountChanged();
  });

  // Unreachable node: the header says so, and the next block after it is back refreshes.
  const failed = (e: unknown) =>
    e instanceof ConnectionLost ||
    show(importStatus, "error", `Cannot read the balance: ${errorText(e)}`);
  const refresh = async () => {
    const who = app.address;
    if (!who) return;
    const read = await app.balance();
    if (who !== app.address) return;
    balance = read;
    free.textContent = app.amount(read.free);
    free.dataset.planck = String(read.free);
    reserved.textContent = app.amount(read.reserved);
    nonce.textContent = String(read.nonce);
    planck.textContent = `${read.free} / ${read.reserved}`;
  };
  app.onAccount((account) => {
    address.textContent = app.address ?? "No account yet: add one below";
    accountScheme.textContent = account?.scheme ?? "—";
    forget.disabled = !account;
    send.disabled = !account;
    balance = undefined;
    for (const el of [free, reserved, nonce, planck]) el.textContent = "—";
    delete free.dataset.planck;
    void refresh().catch(failed);
  });
  app.heads.onBest(() => void refresh().catch(failed));
}
