/**
 * The page's accounts: secret URIs or mnemonics kept in this browser's
 * `localStorage` and turned into keypairs here. A key never leaves the
 * browser: transactions, vouchers, receipts and relay tokens are signed in
 * the page.
 *
 * @module
 */
import { type Keypair, keypairFromUri } from "../../runtime/crypto/keypair.ts";
import { phraseFromEntropy } from "../../runtime/crypto/mnemonic.ts";

/** An account the page holds. */
export interface WalletAccount {
  name: string;
  /** The secret: a mnemonic or a secret URI (`//Alice`, `PHRASE//hard///password`, `0xSEED`). */
  uri: string;
  keypair: Keypair;
}

/** Where accounts live in `localStorage`. */
export const WALLET_STORAGE_KEY = "sutantra.wallet";

interface Stored {
  accounts: { name: string; uri: string }[];
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
    for (const { name, uri } of stored.accounts) {
      try {
        this.#accounts.push({ name, uri, keypair: keypairFromUri(uri) });
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
   * Adds (or re-selects) the account of `uri` and selects it.
   *
   * @throws {TypeError} when `uri` is not a valid mnemonic or secret URI
   */
  add(uri: string, name?: string): WalletAccount {
    const secret = uri.trim();
    const keypair = keypairFromUri(secret);
    const existing = this.#accounts.findIndex((a) => a.uri === secret);
    if (existing >= 0) {
      this.select(existing);
      return this.#accounts[existing];
    }
    // A dev URI names itself; a phrase or seed must never show up as a name.
    const fallback = secret.startsWith("//") ? secret : `Account ${this.#accounts.length + 1}`;
    const account = { name: name?.trim() || fallback, uri: secret, keypair };
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
      accounts: this.#accounts.map(({ name, uri }) => ({ name, uri })),
      selected: this.#selected,
    };
    this.#store.setItem(WALLET_STORAGE_KEY, JSON.stringify(stored));
  }
}

/** A fresh 12-word mnemonic from the browser's CSPRNG. */
export function generateMnemonic(): string {
  return phraseFromEntropy(crypto.getRandomValues(new Uint8Array(16)));
}
