import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { keypairFromUri } from "../../runtime/crypto/keypair.ts";
import { signerFromUri } from "../../runtime/crypto/signer.ts";
import { Wallet, WALLET_STORAGE_KEY } from "./wallet.ts";

/** The `Storage` a page has, kept in a map (this runs outside a browser). */
class MapStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, value);
  }
}

Deno.test("accounts kept before schemes existed are the ed25519 accounts they were", () => {
  const store = new MapStorage();
  store.setItem(
    WALLET_STORAGE_KEY,
    JSON.stringify({ accounts: [{ name: "Alice", uri: "//Alice" }], selected: 0 }),
  );
  const wallet = new Wallet(store);
  assertEquals(wallet.selected?.scheme, "ed25519");
  assertEquals(wallet.selected?.key.account, keypairFromUri("//Alice").publicKey);
});

Deno.test("an account is added as sr25519 unless another scheme is picked, and kept with it", () => {
  const store = new MapStorage();
  const wallet = new Wallet(store);
  const sr = wallet.add("//Alice");
  assertEquals(sr.key.account, signerFromUri("//Alice", "sr25519").account);
  // The same URI in another scheme is another account.
  const ecdsa = wallet.add("//Alice", "Alice (ecdsa)", "ecdsa");
  assertEquals(wallet.accounts.length, 2);
  assertEquals(ecdsa.key.account, signerFromUri("//Alice", "ecdsa").account);
  // Adding one again selects it.
  wallet.add("//Alice");
  assertEquals(wallet.selected, sr);
  const reloaded = new Wallet(store);
  assertEquals(reloaded.accounts.map((a) => [a.name, a.scheme]), [
    ["//Alice", "sr25519"],
    ["Alice (ecdsa)", "ecdsa"],
  ]);
  assertEquals(reloaded.selected?.key.account, sr.key.account);
  throws(() => wallet.add("//Alice/soft", undefined, "ed25519"), TypeError);
  assertEquals(wallet.accounts.length, 2);
});
