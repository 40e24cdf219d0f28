/// <reference lib="dom" />
/**
 * Account: import or generate a key (kept in this browser only), see its
 * balance, and transfer.
 *
 * @module
 */
import type { App } from "../app.ts";
import { act, errorText, field, h, show } from "../dom.ts";
import { KEY_SCHEMES, type KeyScheme } from "../../../runtime/crypto/signer.ts";
import { DEFAULT_SCHEME, generateMnemonic } from "../wallet.ts";

/** What each scheme is to a user choosing one. */
const SCHEME_LABELS: Record<KeyScheme, string> = {
  sr25519: "sr25519 — polkadot.js Apps, subkey and most wallets",
  ed25519: "ed25519 — Sutantra's dev validators, the CLI's default",
  ecdsa: "ecdsa — secp256k1, as Ethereum tools sign",
};

interface AccountInfo {
  nonce: number;
  data: { free: number | string; reserved: number | string; frozen: number | string };
}

/** Mounts the account view into `root`. */
export function mountAccount(app: App, root: HTMLElement): void {
  const uri = h("input", {
    "data-testid": "import-uri",
    placeholder: "//Alice, a 12-word mnemonic, or 0x seed",
    autocomplete: "off",
    spellcheck: false,
  });
  const name = h("input", { "data-testid": "import-name", placeholder: "optional" });
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
  const importStatus = h("p", { class: "status", "data-testid": "import-status" });
  const phrase = h("p", { class: "phrase", "data-testid": "generated-phrase" });

  const address = h("code", { "data-testid": "account-address" }, "—");
  const accountScheme = h("span", { "data-testid": "account-scheme" }, "—");
  const free = h("strong", { "data-testid": "account-balance" }, "—");
  const reserved = h("span", { "data-testid": "account-reserved" }, "—");
  const nonce = h("span", { "data-testid": "account-nonce" }, "—");
  const forget = h("button", { "data-testid": "forget-button", type: "button" }, "Forget");

  const to = h("input", {
    "data-testid": "transfer-to",
    placeholder: "SS58 address",
    autocomplete: "off",
    spellcheck: false,
  });
  const amount = h("input", { "data-testid": "transfer-amount", inputmode: "decimal" });
  const send = h("button", { "data-testid": "transfer-button", type: "submit" }, "Send");
  const sendStatus = h("p", { class: "status", "data-testid": "transfer-status" });

  const addAccount = (secret: string, label?: string) => {
    const added = app.wallet.add(secret, label, scheme.value as KeyScheme);
    app.accountChanged();
    return `Imported ${app.address} (${added.scheme})`;
  };

  root.append(
    h(
      "form",
      {
        class: "panel",
        onsubmit: (e) => {
          e.preventDefault();
          void act(importButton, importStatus, () => {
            const text = addAccount(uri.value, name.value);
            uri.value = "";
            name.value = "";
            phrase.textContent = "";
            return Promise.resolve(text);
          });
        },
      },
      h("h3", {}, "Add an account"),
      field("Secret URI or mnemonic", uri, "Kept in this browser's storage only; never sent."),
      field("Name", name),
      field(
        "Key scheme",
        scheme,
        "The same secret is another account in another scheme: pick the one your wallet uses.",
      ),
      h("div", { class: "buttons" }, importButton, generateButton),
      phrase,
      importStatus,
    ),
    h(
      "section",
      { class: "panel" },
      h("h3", {}, "Selected account"),
      h("p", {}, "Address ", address, " · ", accountScheme),
      h("p", {}, "Free balance ", free),
      h("p", {}, "Reserved ", reserved, " · nonce ", nonce),
      forget,
    ),
    h(
      "form",
      {
        class: "panel",
        onsubmit: (e) => {
          e.preventDefault();
          void act(send, sendStatus, async (progress) => {
            const value = app.parse(amount.value);
            await app.chain.submit(
              "Balances",
              "transferKeepAlive",
              { dest: { Id: to.value.trim() }, value: value.toString() },
              app.signer().key,
              (status) => progress(`Transfer: ${status}…`),
            );
            void refresh().catch(failed);
            return `Sent ${app.amount(value)} to ${to.value.trim()}`;
          });
        },
      },
      h("h3", {}, "Transfer"),
      field("To", to),
      field(`Amount (${app.chain.token.symbol})`, amount),
      send,
      sendStatus,
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

  const failed = (e: unknown) =>
    show(importStatus, "error", `Cannot read the balance: ${errorText(e)}`);
  const refresh = async () => {
    const who = app.address;
    if (!who) return;
    // An account that never received anything has no entry: all zero.
    const info = await app.chain.query<AccountInfo | null>("System", "Account", [who]) ??
      { nonce: 0, data: { free: 0, reserved: 0, frozen: 0 } };
    if (who !== app.address) return;
    free.textContent = app.amount(info.data.free);
    free.dataset.planck = String(info.data.free);
    reserved.textContent = app.amount(info.data.reserved);
    nonce.textContent = String(info.nonce);
  };
  app.onAccount((account) => {
    address.textContent = app.address ?? "No account yet";
    accountScheme.textContent = account?.scheme ?? "—";
    forget.disabled = !account;
    for (const el of [free, reserved, nonce]) el.textContent = "—";
    delete free.dataset.planck;
    void refresh().catch(failed);
  });
  app.heads.onBest(() => void refresh().catch(failed));
}
