/**
 * `deno task key`: the key tool as a function from arguments to output, so
 * that it can be tested without a process. `main.ts` supplies the randomness
 * and the file system and does the printing.
 *
 * @module
 */
import { keypairFromSeed, seedFromUri } from "../../runtime/crypto/keypair.ts";
import {
  entropyFromPhrase,
  miniSecretFromEntropy,
  phraseFromEntropy,
} from "../../runtime/crypto/mnemonic.ts";
import { DEFAULT_SS58_PREFIX, ss58Decode } from "../../runtime/crypto/ss58.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import { type KeyCommand, parseKeyArgs, USAGE } from "./args.ts";
import { formatKey, type KeyView } from "./format.ts";

/** What the tool needs from the outside world. */
export interface KeyToolComponents {
  /** `n` cryptographically secure random bytes. */
  randomBytes(n: number): Uint8Array;
  /** The trimmed contents of `path` if it names a file (subkey accepts a URI in a file). */
  readFileIfExists?(path: string): string | undefined;
}

/** The outcome of one run: what to print where, and the exit code. */
export interface KeyToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `key ARGS`. Never throws: mistakes become a message on stderr and exit code 1. */
export function runKeyTool(args: readonly string[], components: KeyToolComponents): KeyToolResult {
  try {
    const command = parseKeyArgs(args);
    return { code: 0, stdout: execute(command, components) + "\n", stderr: "" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const usage = message.startsWith("Missing command") ? `\n\n${USAGE}` : "";
    return { code: 1, stdout: "", stderr: `Error: ${message}${usage}\n` };
  }
}

function execute(command: KeyCommand, components: KeyToolComponents): string {
  switch (command.kind) {
    case "help":
      return USAGE;
    case "generate": {
      const entropy = components.randomBytes((command.words * 4) / 3);
      const phrase = phraseFromEntropy(entropy);
      const seed = miniSecretFromEntropy(entropy);
      return formatKey({
        source: { kind: "phrase", phrase },
        seed,
        publicKey: keypairFromSeed(seed).publicKey,
        network: command.network ?? DEFAULT_SS58_PREFIX,
      }, command.outputType);
    }
    case "inspect": {
      const uri = components.readFileIfExists?.(command.uri) ?? command.uri;
      const view = command.public
        ? publicHexView(uri, command.network)
        : inspectUri(uri, command.network);
      return formatKey(view, command.outputType);
    }
  }
}

/**
 * subkey's order: the whole URI as a phrase, then as a secret URI, then as an
 * SS58 address (whose own network is kept unless `--network` overrides it).
 */
function inspectUri(uri: string, network: number | undefined): KeyView {
  const defaultNetwork = network ?? DEFAULT_SS58_PREFIX;
  let entropy: Uint8Array | undefined;
  try {
    entropy = entropyFromPhrase(uri);
  } catch {
    // not a bare phrase
  }
  if (entropy !== undefined) {
    const seed = miniSecretFromEntropy(entropy);
    const { publicKey } = keypairFromSeed(seed);
    return { source: { kind: "phrase", phrase: uri }, seed, publicKey, network: defaultNetwork };
  }
  let secretError: Error;
  try {
    const seed = seedFromUri(uri);
    const { publicKey } = keypairFromSeed(seed);
    return { source: { kind: "secretUri", uri }, seed, publicKey, network: defaultNetwork };
  } catch (error) {
    secretError = error as Error;
  }
  try {
    const { publicKey, prefix } = ss58Decode(uri);
    return { source: { kind: "publicUri", uri }, publicKey, network: network ?? prefix };
  } catch (error) {
    // Report the failure of the reading the user most likely meant.
    const looksLikeAddress = /^[1-9A-HJ-NP-Za-km-z]{40,}$/.test(uri);
    throw new TypeError(
      `Invalid phrase/URI given: ${(looksLikeAddress ? (error as Error) : secretError).message}`,
    );
  }
}

function publicHexView(text: string, network: number | undefined): KeyView {
  let publicKey: Uint8Array;
  try {
    publicKey = fromHex(text);
  } catch (error) {
    throw new TypeError(`Invalid public key: ${(error as Error).message}`);
  }
  if (publicKey.length !== 32) {
    throw new TypeError(`Invalid public key: ${publicKey.length} bytes, expected 32`);
  }
  return { source: { kind: "publicHex" }, publicKey, network: network ?? DEFAULT_SS58_PREFIX };
}
