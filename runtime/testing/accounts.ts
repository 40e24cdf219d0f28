/**
 * The dev accounts every test chain knows: Substrate's `//Alice` to
 * `//Ferdie` and their `//stash` accounts, as ed25519 keypairs.
 *
 * @example
 * ```ts
 * import { dev } from "./accounts.ts";
 * if (dev.alice.publicKey.length !== 32) throw new Error("an AccountId32");
 * ```
 *
 * @module
 */
import { keypairFromUri } from "../crypto/mod.ts";

const named = (uri: string) => keypairFromUri(uri);

/** The dev accounts and their stashes. */
export const dev = {
  alice: named("//Alice"),
  bob: named("//Bob"),
  charlie: named("//Charlie"),
  dave: named("//Dave"),
  eve: named("//Eve"),
  ferdie: named("//Ferdie"),
  aliceStash: named("//Alice//stash"),
  bobStash: named("//Bob//stash"),
  charlieStash: named("//Charlie//stash"),
  daveStash: named("//Dave//stash"),
  eveStash: named("//Eve//stash"),
  ferdieStash: named("//Ferdie//stash"),
};
