/**
 * What `key generate` and `key inspect` print, line for line as Substrate's
 * `subkey` prints it for ed25519 (`sc_cli::commands::utils`): text views
 * aligned as subkey aligns them, and JSON with subkey's field names in its
 * (alphabetical) order, pretty-printed with two spaces.
 *
 * For ed25519 the account id is the public key, so "Public key (SS58)" and
 * "SS58 Address" are the same string.
 *
 * @module
 */
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { OutputType } from "./args.ts";
import { networkName } from "./network.ts";

/** Everything a view may show about one key. */
export interface KeyView {
  /** How the key was given: a phrase, a secret URI, an SS58 address, or a hex public key. */
  source:
    | { kind: "phrase"; phrase: string }
    | { kind: "secretUri"; uri: string }
    | { kind: "publicUri"; uri: string }
    | { kind: "publicHex" };
  /** The secret seed; absent for the public views. */
  seed?: Uint8Array;
  publicKey: Uint8Array;
  /** SS58 network id. */
  network: number;
}

/** The printed view of a key, without the final newline. */
export function formatKey(view: KeyView, outputType: OutputType): string {
  return outputType === "json" ? formatJson(view) : formatText(view);
}

function formatText({ source, seed, publicKey, network }: KeyView): string {
  const hex = toHex(publicKey);
  const ss58 = ss58Encode(publicKey, network);
  const name = networkName(network);
  if (source.kind === "phrase" || source.kind === "secretUri") {
    const header = source.kind === "phrase"
      ? `Secret phrase:       ${source.phrase}`
      : `Secret Key URI \`${source.uri}\` is account:`;
    return [
      header,
      `  Network ID:        ${name}`,
      `  Secret seed:       ${seed ? toHex(seed) : "n/a"}`,
      `  Public key (hex):  ${hex}`,
      `  Account ID:        ${hex}`,
      `  Public key (SS58): ${ss58}`,
      `  SS58 Address:      ${ss58}`,
    ].join("\n");
  }
  const lines = [
    `Network ID/Version: ${name}`,
    `  Public key (hex):   ${hex}`,
    `  Account ID:         ${hex}`,
    `  Public key (SS58):  ${ss58}`,
    `  SS58 Address:       ${ss58}`,
  ];
  if (source.kind === "publicHex") return lines.join("\n");
  return [`Public Key URI \`${source.uri}\` is account:`, "  " + lines[0], ...lines.slice(1)]
    .join("\n");
}

function formatJson({ source, seed, publicKey, network }: KeyView): string {
  const hex = toHex(publicKey);
  const ss58 = ss58Encode(publicKey, network);
  const fields: Record<string, string> = {
    accountId: hex,
    networkId: networkName(network),
    publicKey: hex,
    ss58Address: ss58,
    ss58PublicKey: ss58,
  };
  if (source.kind === "phrase") fields.secretPhrase = source.phrase;
  if (source.kind === "secretUri") fields.secretKeyUri = source.uri;
  if (source.kind === "publicUri") fields.publicKeyUri = source.uri;
  if (source.kind === "phrase" || source.kind === "secretUri") {
    fields.secretSeed = seed ? toHex(seed) : "n/a";
  }
  // subkey's serde_json map is a BTreeMap: keys come out sorted.
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a < b ? -1 : 1));
  return JSON.stringify(sorted, null, 2);
}
