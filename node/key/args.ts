/**
 * The command line of `deno task key`, parsed into a command.
 *
 * ```text
 * key generate [--words 12|15|18|21|24] [--network N] [--output-type text|json]
 * key inspect URI|ADDRESS [--network N] [--public] [--output-type text|json]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseNetwork } from "./network.ts";

/** How results are printed. */
export type OutputType = "text" | "json";

/** A parsed command line. */
export type KeyCommand =
  | { kind: "help" }
  | { kind: "generate"; words: number; network?: number; outputType: OutputType }
  | { kind: "inspect"; uri: string; network?: number; public: boolean; outputType: OutputType };

/** What `key --help` prints. */
export const USAGE = `Usage:
  deno task key generate [--words 12|15|18|21|24] [--network NAME|ID] [--output-type text|json]
  deno task key inspect URI|ADDRESS [--network NAME|ID] [--public] [--output-type text|json]

  URI is a secret URI: PHRASE[//hard...][///password], 0xSEED[//hard...], or //hard... on the dev phrase
  (only ed25519 keys: soft junctions /x are not possible). ADDRESS is an SS58 address.
  --public   URI is a hex public key
  --network  SS58 network: substrate (42, the default), polkadot (0), kusama (2) or a number`;

/**
 * Parses the arguments after `key`.
 *
 * @throws {TypeError} with a message fit for the user on any mistake
 */
export function parseKeyArgs(args: readonly string[]): KeyCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        words: { type: "string", short: "w" },
        network: { type: "string", short: "n" },
        "output-type": { type: "string" },
        public: { type: "boolean" },
        scheme: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  const [subcommand, ...rest] = positionals;
  if (values.scheme !== undefined && values.scheme !== "ed25519") {
    throw new TypeError(
      `Unsupported scheme "${values.scheme}": key generates and inspects ed25519 keys ` +
        "(tx and stream take --scheme sr25519|ecdsa to sign with those)",
    );
  }
  const network = values.network === undefined ? undefined : parseNetwork(values.network);
  const outputType = parseOutputType(values["output-type"]);
  switch (subcommand) {
    case "generate": {
      if (rest.length > 0) throw new TypeError(`Unexpected argument "${rest[0]}" to generate`);
      if (values.public) throw new TypeError("--public is an option of inspect, not generate");
      return { kind: "generate", words: parseWords(values.words), network, outputType };
    }
    case "inspect": {
      if (values.words !== undefined) {
        throw new TypeError("--words is an option of generate, not inspect");
      }
      if (rest.length === 0) throw new TypeError("Missing URI or address to inspect");
      if (rest.length > 1) {
        throw new TypeError(
          `Expected one URI, got ${rest.length} arguments (quote a phrase: "word1 word2 ...")`,
        );
      }
      return { kind: "inspect", uri: rest[0], network, public: values.public ?? false, outputType };
    }
    case undefined:
      throw new TypeError("Missing command: generate or inspect");
    default:
      throw new TypeError(`Unknown command "${subcommand}": expected generate or inspect`);
  }
}

function parseWords(text: string | undefined): number {
  if (text === undefined) return 12;
  if (!["12", "15", "18", "21", "24"].includes(text)) {
    throw new TypeError("Invalid number of words given for phrase: must be 12/15/18/21/24");
  }
  return Number(text);
}

function parseOutputType(text: string | undefined): OutputType {
  if (text === undefined || text === "text" || text === "json") return text ?? "text";
  throw new TypeError(`Invalid output type "${text}": expected text or json`);
}
