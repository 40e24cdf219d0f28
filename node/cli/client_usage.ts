/**
 * What the client commands (`tx`, `query`, `stream`) say about themselves:
 * one table of subcommands, from which `deno task node --help`, a group's
 * `--help` (or the bare group), a subcommand's `--help` and the error for
 * an unknown subcommand are all written, so they cannot disagree.
 *
 * @module
 */

/** A group of client commands. */
export type ClientGroup = "tx" | "query" | "stream";

/** The client command groups, in the order `--help` lists them. */
export const CLIENT_GROUPS: readonly ClientGroup[] = ["tx", "query", "stream"];

interface Subcommand {
  name: string;
  /** Its arguments and flags, after `deno task node GROUP NAME`. */
  synopsis: string;
  /** One line: what it does. */
  summary: string;
  /** More, for its own `--help`. */
  details?: string;
  /** Its own flags, described (the group's when absent). */
  options?: string;
  /** Whether it runs through a light client with `--light`. */
  light?: boolean;
}

const AMOUNTS = `Amounts are in the chain's token, as the node names it (STREAM with 12 decimals on
dev and local): 1.5 is 1.5 STREAM, 2STREAM is 2 STREAM, and 1500000000000planck is in
planck, the smallest unit; more decimals than the chain has are refused.`;

const PRICES = `Prices are per second, minute or hour: 0.6/min, 0.01/s and 36/h are the same price
(the chain keeps it per second, in whole planck), and 0 is free. The amount before the
slash is read as amounts are (10000000000planck/s).`;

const FROM = `  --from URI               the signer's secret URI (//Alice, a phrase, 0xSEED)`;

const SCHEME = `  --scheme ed25519|sr25519|ecdsa
                           the key scheme of the URI, as subkey spells it: ed25519 by
                           default, the dev validators' keys; polkadot.js Apps' accounts
                           are sr25519`;

const WAIT = `  --wait in-block|finalized
                           wait until the transaction is in a block, or finalized (default);
                           progress is printed as it goes, and a chain that makes no progress
                           for 60 s ends the wait (the transaction may still be included)`;

const SIGNING = [FROM, SCHEME, WAIT].join("\n");

const CONNECTION = `  --rpc URL                the node's RPC (default ws://127.0.0.1:9944)
  --planck                 print amounts in planck rather than in the chain's token
  -h, --help               this help`;

const LIGHT = `  --light [--chain dev|local|PATH] [--bootnodes ADDR...]
                           read and send through a light client in this process, which checks
                           every answer against finality rather than trusting the node (the
                           --rpc node then serves only as the relay)`;

const GROUPS: Record<ClientGroup, { summary: string; options: string; commands: Subcommand[] }> = {
  tx: {
    summary: "Sign a transaction locally, submit it to the node and wait for its fate.",
    options: SIGNING,
    commands: [
      {
        name: "transfer",
        synopsis: "--from URI --to ADDRESS --amount AMOUNT [--allow-death]",
        summary: "send AMOUNT to ADDRESS",
        details: "Keeps the sender above the existential deposit unless --allow-death.",
        light: true,
      },
      {
        name: "bond",
        synopsis: "--from URI --amount AMOUNT",
        summary: "bond AMOUNT of the signer's balance for staking",
        light: true,
      },
      {
        name: "validate",
        synopsis: "--from URI [--commission PERBILL]",
        summary: "offer to validate, with a commission in parts per billion",
        light: true,
      },
      {
        name: "set-keys",
        synopsis: "--from STASH_URI --key SESSION_KEY_URI",
        summary: "the session key the node signs with, from the next era",
        details: "The session key is ed25519 and signs the stash, which proves it is held.\n" +
          "--scheme is the stash's.",
        options: `${FROM}
  --key URI                the session key's secret URI
${SCHEME}
${WAIT}`,
        light: true,
      },
      {
        name: "call",
        synopsis: "PALLET CALL '<args as JSON>' --from URI",
        summary: "any call of any pallet, its arguments as JSON (amounts in planck)",
        details: `Encoded from the node's metadata, so a newly authored pallet works too:
  deno task node tx call System remarkWithEvent '{"remark": "0x0102"}' --from //Eve`,
        light: true,
      },
    ],
  },
  query: {
    summary: "Read the chain's state through the node.",
    options: "",
    commands: [
      {
        name: "balance",
        synopsis: "ADDRESS",
        summary: "an account's free, reserved and frozen balance, and its nonce",
        light: true,
      },
      {
        name: "storage",
        synopsis: "PALLET ITEM ['<key as JSON>' ...]",
        summary:
          "a storage value, decoded from the node's metadata, as JSON (amounts in planck); " +
          "a map given fewer keys lists its entries (the first 100)",
        details: "  deno task node query storage Streams Streams 0\n" +
          "  deno task node query storage Streams Streams      # every stream, a line each",
        light: true,
      },
    ],
  },
  stream: {
    summary: "Live streams: create, go live, publish, watch and pay.",
    options: SIGNING,
    commands: [
      {
        name: "create",
        synopsis: '"Title" --price PRICE --from URI',
        summary: "register a stream at PRICE (e.g. 0.6/min); prints its id",
      },
      {
        name: "list",
        synopsis: "",
        summary: "every stream with its price, status and creator",
        options: "",
      },
      {
        name: "go-live",
        synopsis: "ID --from URI",
        summary: "the creator says the stream is live",
      },
      { name: "end", synopsis: "ID --from URI", summary: "the creator ends the stream for good" },
      {
        name: "remove",
        synopsis: "ID --from URI",
        summary: "remove an ended stream whose channels have all closed (anyone may)",
        details: "Its deposits go back to its creator.",
      },
      {
        name: "token",
        synopsis: "ID --key URI [--role publish|watch] [--hours 1-24]",
        summary: "the WHIP/WHEP URL and bearer token, for OBS or a player",
        details: "Publish tokens last 24 h (or --hours), watch tokens 10 minutes.",
        options:
          `  --key URI                the signer's secret URI: the creator's to publish, a viewer's
                           to watch (who must have a channel to a paid stream)
${SCHEME}
  --role publish|watch     a WHIP token to publish (default) or a WHEP token to watch
  --hours 1-24             how long a publish token lasts (default 24)`,
      },
      {
        name: "watch",
        synopsis: "ID --key URI [--deposit AMOUNT] [--seconds N] [--wait-publisher SECONDS]",
        summary: "watch headlessly from the node, paying per second by voucher",
        details:
          `Checks first that the stream is live and that a relay has its publisher; until then it
waits ("offline — waiting for the creator"), checking again with a growing pause, for up to
--wait-publisher seconds (default 600; 0 gives up at once) or until Ctrl-C, and locks no
money. Then, for a paid stream, it opens a payment channel if the viewer has none (the
deposit pays for an hour at the stream's price unless --deposit says otherwise), and prints
a line a second (frames, bitrate, loss, paid) until --seconds pass or Ctrl-C.`,
        options:
          `  --key URI                the viewer's secret URI: opens the channel, signs the token and
                           the vouchers
${SCHEME}
  --deposit AMOUNT         what a new channel locks (default: an hour at the stream's price)
  --seconds N              stop after N seconds of watching (default: until Ctrl-C)
  --wait-publisher SECONDS how long to wait for the creator to publish (default 600)`,
        light: true,
      },
    ],
  },
};

/** Every client command, one line each: the client part of `deno task node --help`. */
export const CLIENT_USAGE = [
  "Client commands (talk to a node's RPC, --rpc URL, default ws://127.0.0.1:9944; each takes --help):",
  ...CLIENT_GROUPS.flatMap((group) =>
    GROUPS[group].commands.map((c) => `  ${[group, c.name, c.synopsis].join(" ").trimEnd()}`)
  ),
  "(tx, query and stream watch also run through a light client in this process with --light)",
  "",
  AMOUNTS,
  "",
  PRICES,
].join("\n");

/** The subcommand names of `group`. */
export function subcommandsOf(group: ClientGroup): string[] {
  return GROUPS[group].commands.map((c) => c.name);
}

/** What `deno task node GROUP --help` (or the bare group) prints: its subcommands, a line each. */
export function groupUsage(group: ClientGroup): string {
  const { summary, commands } = GROUPS[group];
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `Usage: deno task node ${group} SUBCOMMAND [OPTIONS]`,
    "",
    summary,
    "",
    "Subcommands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    `Run 'deno task node ${group} SUBCOMMAND --help' for its arguments and flags.`,
  ].join("\n");
}

/**
 * What `deno task node GROUP NAME --help` prints.
 *
 * @throws {TypeError} for a subcommand `group` does not have
 */
export function commandUsage(group: ClientGroup, name: string): string {
  const command = GROUPS[group].commands.find((c) => c.name === name);
  if (!command) throw unknownSubcommand(group, name);
  const options = [command.options ?? GROUPS[group].options, command.light ? LIGHT : "", CONNECTION]
    .filter(Boolean).join("\n");
  const money = [
    ...(/AMOUNT/.test(command.synopsis) ? ["", AMOUNTS] : []),
    ...(/PRICE/.test(command.synopsis) ? ["", PRICES] : []),
  ];
  return [
    `Usage: deno task node ${[group, name, command.synopsis].join(" ").trimEnd()}`,
    "",
    `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.details ? [command.details] : []),
    ...money,
    "",
    "Options:",
    options,
  ].join("\n");
}

/** The error for `deno task node GROUP NAME` when `group` has no `name`. */
export function unknownSubcommand(group: ClientGroup, name: string): TypeError {
  return new TypeError(
    `Unknown command: ${group} ${name}; ${group} has ${subcommandsOf(group).join(", ")} ` +
      `(deno task node ${group} --help)`,
  );
}

/**
 * A command line `node:util`'s parser refused, as a TypeError that says
 * where the right flags are listed (`helpCommand`, e.g. `deno task node tx transfer`).
 */
export function flagError(error: unknown, helpCommand: string): TypeError {
  // Its first sentence: the rest says how to pass a positional that starts with a dash.
  const message = (error as Error).message.split(". To specify")[0];
  return new TypeError(`${message} (${helpCommand} --help)`);
}
