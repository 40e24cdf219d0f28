/**
 * The page's accounts: secret URIs or mnemonics kept in this browser's
 * `localStorage`, each with its key scheme, and turned into signers here. A
 * key never leaves the browser: transactions, vouchers, receipts and relay
 * tokens are signed in the page.
 *
 * An account is added as sr25519 unless the user picks another scheme: a
 * mnemonic from polkadot.js Apps (or subkey, Talisman, SubWallet) is then
 * the account it is there. Accounts kept before schemes existed were
 * ed25519 and stay so; the same URI in two schemes is two accounts.
 *
 * @module
 */
import { phraseFromEntropy } from "../../runtime/crypto/mnemonic.ts";
import { type AccountSigner, type KeyScheme, signerFromUri } from "../../runtime/crypto/signer.ts";

/** An account the page holds. */
export interface WalletAccount {
  name: string;
  /** The secret: a mnemonic or a secret URI (`//Alice`, `PHRASE//hard///password`, `0xSEED`). */
  uri: string;
  scheme: KeyScheme;
  /** Signs for the account, with the key of `uri` in `scheme`. */
  key: AccountSigner;
}

/** Where accounts live in `localStorage`. */
export const WALLET_STORAGE_KEY = "sutantra.wallet";

/** The scheme an account is added with unless the user picks another: polkadot.js Apps'. */
export const DEFAULT_SCHEME: KeyScheme = "sr25519";

interface Stored {
  /** `scheme` is absent for accounts kept before schemes existed: they were ed25519. */
  accounts: { name: string; uri: string; scheme?: KeyScheme }[];
  selected: number;
}

/** The accounts of this browser, and which one signs. */
export class Wallet {
  readonly #store: Storage;
  #accounts: WalletAccount[] = [];
  #selected = -1;

  /** Reads the accounts kept in `store`. */
  constructor(store: Storage) {
    this.#store = store;
    const stored = this.#read();
    for (const { name, uri, scheme = "ed25519" } of stored.accounts) {
      try {
        this.#accounts.push({ name, uri, scheme, key: signerFromUri(uri, scheme) });
      } catch {
        // An entry that no longer parses is dropped on the next save.
      }
    }
    this.#selected = Math.min(stored.selected, this.#accounts.length - 1);
  }

  /** Every account, in the order they were added. */
  get accounts(): readonly WalletAccount[] {
    return this.#accounts;
  }

  /** The account that signs, if any. */
  get selected(): WalletAccount | undefined {
    return this.#accounts[this.#selected];
  }

  /**
   * Adds (or re-selects) the account of `uri` in `scheme` and selects it.
   *
   * @throws {TypeError} when `uri` is not a valid mnemonic or secret URI for `scheme`
   */
  add(uri: string, name?: string, scheme: KeyScheme = DEFAULT_SCHEME): WalletAccount {
    const secret = uri.trim();
    const key = signerFromUri(secret, scheme);
    const existing = this.#accounts.findIndex((a) => a.uri === secret && a.scheme === scheme);
    if (existing >= 0) {
      this.select(existing);
      return this.#accounts[existing];
    }
    // A dev URI names itself; a phrase or seed must never show up as a name.
    const fallback = secret.startsWith("//") ? secret : `Account ${this.#accounts.length + 1}`;
    const account = { name: name?.trim() || fallback, uri: secret, scheme, key };
    this.#accounts.push(account);
    this.select(this.#accounts.length - 1);
    return account;
  }

  /** Selects the account at `index`. */
  select(index: number): void {
    if (index < 0 || index >= this.#accounts.length) {
      throw new RangeError(`No account ${index}; the wallet holds ${this.#accounts.length}`);
    }
    this.#selected = index;
    this.#save();
  }

  /** Removes the selected account from this browser. */
  forgetSelected(): void {
    if (this.#selected < 0) return;
    this.#accounts.splice(this.#selected, 1);
    this.#selected = this.#accounts.length ? 0 : -1;
    this.#save();
  }

  #read(): Stored {
    try {
      const stored = JSON.parse(this.#store.getItem(WALLET_STORAGE_KEY) ?? "null");
      if (stored && Array.isArray(stored.accounts)) return stored;
    } catch {
      // Unreadable: start empty.
    }
    return { accounts: [], selected: -1 };
  }

  #save(): void {
    const stored: Stored = {
      accounts: this.#accounts.map(({ name, uri, scheme }) => ({ name, uri, scheme })),
      selected: this.#selected,
    };
    this.#store.setItem(WALLET_STORAGE_KEY, JSON.stringify(stored));
  }
}

/** A fresh 12-word mnemonic from the browser's CSPRNG. */
export function generateMnemonic(): string {
  return phraseFromEntropy(crypto.getRandomValues(new Uint8Array(16)));
}
