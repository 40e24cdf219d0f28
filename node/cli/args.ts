/**
 * The command line of `deno task node`, with Substrate's flags.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { DEV_NAMES } from "../../chain-spec/presets.ts";
import { type KeyScheme, parseKeyScheme } from "../../runtime/crypto/mod.ts";
import type { SealMode } from "../consensus/mod.ts";
import { parseKeepBlocks, type Pruning } from "../db/pruning.ts";
import type { RpcServerOptions } from "../rpc/mod.ts";
import { DEFAULT_MAX_VIEWERS_PER_WORKER } from "../relay/native/mod.ts";
import { IN_PROCESS_MAX_VIEWERS } from "../relay/plane.ts";
import { type ClientCommand, clientHelp, parseClientArgs } from "./client_args.ts";
import { CLIENT_GROUPS, CLIENT_USAGE, type ClientGroup, flagError } from "./client_usage.ts";

/** The RPC limits the command line sets; those it leaves out take the server's defaults. */
export type RpcLimits = Pick<
  RpcServerOptions,
  | "maxConnections"
  | "maxSubscriptionsPerConnection"
  | "maxRequestBytes"
  | "maxResponseBytes"
  | "rateLimit"
>;

/** How to run a node. */
export interface RunOptions {
  chain: string;
  /** Where the database and node key live; a fresh temporary directory with `--tmp`. */
  basePath?: string;
  tmp: boolean;
  name: string;
  validator: boolean;
  /** Secret URI of the session key (`--key`, or `//Alice` for `--alice`). */
  key?: string;
  /**
   * The scheme of `key` (`--scheme`): ed25519 for a validator, whose key is
   * its session key; a node that only relays may make its account (which
   * registers, claims vouchers, reports and signs pull tokens) sr25519 or ecdsa.
   */
  keyScheme: KeyScheme;
  port: number;
  /** Multiaddrs to listen on for peers (default: every interface on `port`). */
  listenAddr: string[];
  rpcPort: number;
  prometheusPort: number;
  bootnodes: string[];
  /** Multiaddrs (with `/p2p/<id>`) of peers to stay connected to, redialled when they drop. */
  reservedNodes: string[];
  /** Dial and accept only the reserved nodes; no discovery. */
  reservedOnly: boolean;
  /** How many peers may connect to this node (Substrate's `--in-peers`). */
  inPeers: number;
  /** How many peers this node dials out to (Substrate's `--out-peers`). */
  outPeers: number;
  /** The libp2p key's secret seed (64 hex digits), instead of the one kept in the base path. */
  nodeKey?: string;
  log: "error" | "warn" | "info" | "debug";
  rpcCors: string[] | "all";
  /** Serve RPC, WHIP/WHEP and the web app on every interface, not only 127.0.0.1. */
  rpcExternal: boolean;
  /** `--rpc-methods` with `auto` resolved as Substrate does: unsafe on 127.0.0.1, safe with `--rpc-external`. */
  rpcMethods: "safe" | "unsafe";
  /** `--rpc-max-connections`, `--rpc-max-request-size` and the like. */
  rpcLimits: RpcLimits;
  /** Where other relays reach this node's HTTP port (default http://127.0.0.1:RPC_PORT). */
  publicUrl?: string;
  /** STUN/TURN URLs offered to peers, besides the chain spec's. */
  iceServers: string[];
  /** Cap relay sessions per IP for loopback clients too (`--relay-cap-loopback`). */
  relayCapLoopback: boolean;
  /**
   * Media worker processes the relay's peer connections run in
   * (`--relay-workers`, default 1); 0 runs them in the node's own process.
   */
  relayWorkers: number;
  /** Viewers this node serves at most (`--relay-max-viewers`; default 250 per worker, 20 without). */
  relayMaxViewers: number;
  seal: SealMode;
  /** What the database keeps of finalized history (`--state-pruning`, `--blocks-pruning`). */
  pruning: Pruning;
  /** Bytes of decoded trie nodes kept in memory (`--trie-cache-size`, in MiB). */
  trieCacheBytes: number;
  /**
   * TEST ONLY: author two different blocks per slot, so equivocation handling
   * can be tested. Needs `--i-know-this-slashes-me`, and a chain that is not Live.
   */
  unsafeEquivocate: boolean;
  /**
   * `--light`: run a light client (no database, no execution of blocks)
   * that follows finality by checked justifications and serves the RPC from
   * proofs; it needs full nodes to ask (`--bootnodes`, or the spec's).
   */
  light: boolean;
}

/** A parsed command line. */
export type NodeCommand =
  | { kind: "run"; options: RunOptions }
  | { kind: "key"; args: string[] }
  | {
    kind: "build-spec";
    chain: string;
    raw: boolean;
    /** The RPC URL of a node whose finalized block becomes the spec's `lightSyncState`. */
    checkpointFrom?: string;
  }
  | { kind: "purge-chain"; basePath: string }
  | { kind: "client"; command: ClientCommand }
  | {
    kind: "help";
    /** What to print: the node's usage, or a subcommand's. */
    text: string;
  };

const BUILD_SPEC_LINES = `  build-spec --chain X [--raw] [--checkpoint-from URL]
                               print a chain spec; with the finalized block of the node at
                               URL (RPC, ws:// or http://) as its lightSyncState, the
                               checkpoint light clients start from (trusted as the spec is)`;

const PURGE_CHAIN_LINES =
  `  purge-chain --base-path DIR  delete a node's chain data (its chains/ folder: database,
                               node key, known peers, the relay's records)`;

/** What `build-spec --help` prints. */
export const BUILD_SPEC_USAGE =
  `Usage: deno task node build-spec [--chain dev|local|PATH] [--raw] [--checkpoint-from URL]

Prints a chain spec as JSON.

Options:
  --chain dev|local|PATH   the spec to print (default: dev)
  --raw                    the genesis as raw storage (key/value hex), as nodes load it
  --checkpoint-from URL    a node's RPC (ws:// or http://) on the same chain: its finalized
                           block becomes the spec's lightSyncState, the checkpoint light
                           clients start from instead of genesis (trusted as the spec is)
  -h, --help               this help`;

/** What `purge-chain --help` prints. */
export const PURGE_CHAIN_USAGE = `Usage: deno task node purge-chain --base-path DIR

Deletes a node's chain data: DIR/chains (the database, the node key, known peers and the
relay's records). The node then starts again from genesis with a new node key.

Options:
  --base-path DIR, -d DIR  the node's base path (required)
  -y                       accepted for Substrate's sake; nothing is asked
  -h, --help               this help`;

/** What `--help` prints. */
export const USAGE = `Usage: deno task node [SUBCOMMAND] [OPTIONS]

Runs a Sutantra node.

Options:
  --chain dev|local|PATH   the chain spec (default: dev)
  --base-path DIR          where the database and node key live
  --tmp                    use a fresh temporary base path, removed on exit
  --name NAME              the node's name (default: a generated one)
  --validator              author blocks and vote for finality
  --light                  run a light client: follow finality by checked justifications
                           and serve the JSON-RPC from proofs (needs --bootnodes)
  --key URI                the validator's session key (secret URI)
  --alice ... --ferdie     shortcut: --validator --key //Alice (and --tmp without --base-path)
  --scheme SCHEME          the --key's scheme: ed25519 (default; a validator's must be), or
                           sr25519 or ecdsa for the account of a node that only relays
  --port N                 p2p port (default 30333)
  --listen-addr ADDR...    p2p multiaddrs to listen on, tcp, or WebSockets: .../tcp/N/ws
                           (default /ip4/0.0.0.0/tcp/PORT and /ip4/0.0.0.0/tcp/PORT+10000/ws)
  --rpc-port N             JSON-RPC port (default 9944)
  --prometheus-port N      Prometheus metrics port (default 9615)
  --bootnodes ADDR...      multiaddrs of nodes to connect to
  --reserved-nodes ADDR... multiaddrs (with /p2p/ID) of peers to stay connected to
  --reserved-only          dial and accept only the reserved nodes, no discovery
  --in-peers N             peers that may connect to this node (default 32)
  --out-peers N            peers this node dials out to (default 8)
  --node-key HEX           the p2p identity's ed25519 secret (default: one kept in the base path)
  --log LEVEL              error, warn, info (default) or debug
  --rpc-cors all|ORIGINS   origins allowed to call the RPC (default: localhost origins)
  --rpc-external           serve RPC, WHIP/WHEP and the web app on every interface
  --rpc-methods safe|unsafe|auto  unsafe methods (engine_*) served or answered -32601
                           (default auto: unsafe on 127.0.0.1, safe with --rpc-external)
  --rpc-max-connections N  open WebSockets and HTTP requests at once (default 100)
  --rpc-max-subscriptions-per-connection N  (default 1024)
  --rpc-max-request-size MIB   largest request (default 15)
  --rpc-max-response-size MIB  largest answer (default 15)
  --rpc-rate-limit N       calls a minute per connection (HTTP: per address); default none
  --public-url URL         where other relays reach this node (default http://127.0.0.1:RPC_PORT)
  --ice-server URL...      STUN/TURN servers offered to publishers and viewers
  --relay-cap-loopback     cap relay sessions per IP for 127.0.0.1 clients too
  --relay-workers N        media worker processes, one per core given to the relay
                           (default 1; 0 runs media in the node's process, for a few viewers)
  --relay-max-viewers N    viewers this node serves at most (default 250 per worker)
  --seal slots|instant|manual  when blocks are made (default: slots)
  --state-pruning archive|N    finalized states kept (default 256)
  --blocks-pruning archive|N   finalized block bodies kept (default archive)
  --trie-cache-size MIB        memory for state trie nodes (default 64)

Subcommands (each takes --help):
  key generate|inspect ...     keys, as subkey
${BUILD_SPEC_LINES}
${PURGE_CHAIN_LINES}

${CLIENT_USAGE}`;

const LOCAL_ORIGINS = [
  "http://localhost",
  "http://127.0.0.1",
  "https://localhost",
  "https://127.0.0.1",
];

/**
 * Parses `deno task node` arguments.
 *
 * @throws {TypeError} naming the bad flag or value
 */
export function parseNodeArgs(args: readonly string[]): NodeCommand {
  const [first, ...rest] = args;
  if (first === "key") return { kind: "key", args: rest };
  if (CLIENT_GROUPS.includes(first as ClientGroup)) {
    const group = first as ClientGroup;
    const help = clientHelp(group, rest);
    if (help !== undefined) return { kind: "help", text: help };
    return { kind: "client", command: parseClientArgs(group, rest) };
  }
  if (first === "build-spec") {
    const { values } = parse(rest, {
      chain: { type: "string", default: "dev" },
      raw: { type: "boolean", default: false },
      "checkpoint-from": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    }, first);
    if (values.help) return { kind: "help", text: BUILD_SPEC_USAGE };
    const from = values["checkpoint-from"] as string | undefined;
    return {
      kind: "build-spec",
      chain: values.chain as string,
      raw: values.raw as boolean,
      ...(from === undefined ? {} : { checkpointFrom: from }),
    };
  }
  if (first === "purge-chain") {
    const { values } = parse(rest, {
      "base-path": { type: "string", short: "d" },
      y: { type: "boolean" },
      help: { type: "boolean", short: "h", default: false },
    }, first);
    if (values.help) return { kind: "help", text: PURGE_CHAIN_USAGE };
    if (!values["base-path"]) {
      throw new TypeError(
        "purge-chain: --base-path is required (deno task node purge-chain --help)",
      );
    }
    return { kind: "purge-chain", basePath: values["base-path"] as string };
  }
  if (first !== undefined && !first.startsWith("-")) {
    throw new TypeError(
      `Unknown subcommand: ${first}; the node has ${
        ["key", "build-spec", "purge-chain", ...CLIENT_GROUPS].join(", ")
      } (deno task node --help)`,
    );
  }
  const devFlags = Object.fromEntries(
    DEV_NAMES.map((n) => [n.toLowerCase(), { type: "boolean" as const, default: false }]),
  );
  const { values } = parse(args, {
    help: { type: "boolean", short: "h", default: false },
    chain: { type: "string", default: "dev" },
    "base-path": { type: "string", short: "d" },
    tmp: { type: "boolean", default: false },
    name: { type: "string" },
    validator: { type: "boolean", default: false },
    key: { type: "string" },
    port: { type: "string", default: "30333" },
    "listen-addr": { type: "string", multiple: true, default: [] },
    "rpc-port": { type: "string", default: "9944" },
    "prometheus-port": { type: "string", default: "9615" },
    bootnodes: { type: "string", multiple: true, default: [] },
    "reserved-nodes": { type: "string", multiple: true, default: [] },
    "reserved-only": { type: "boolean", default: false },
    "in-peers": { type: "string", default: "32" },
    "out-peers": { type: "string", default: "8" },
    "node-key": { type: "string" },
    log: { type: "string", default: "info" },
    "rpc-cors": { type: "string" },
    "rpc-external": { type: "boolean", default: false },
    "rpc-methods": { type: "string", default: "auto" },
    "rpc-max-connections": { type: "string" },
    "rpc-max-subscriptions-per-connection": { type: "string" },
    "rpc-max-request-size": { type: "string" },
    "rpc-max-response-size": { type: "string" },
    "rpc-rate-limit": { type: "string" },
    "public-url": { type: "string" },
    "ice-server": { type: "string", multiple: true, default: [] },
    "relay-cap-loopback": { type: "boolean", default: false },
    "relay-workers": { type: "string", default: "1" },
    "relay-max-viewers": { type: "string" },
    seal: { type: "string", default: "slots" },
    "state-pruning": { type: "string", default: "256" },
    "blocks-pruning": { type: "string", default: "archive" },
    "trie-cache-size": { type: "string", default: "64" },
    "unsafe-equivocate": { type: "boolean", default: false },
    light: { type: "boolean", default: false },
    "i-know-this-slashes-me": { type: "boolean", default: false },
    scheme: { type: "string" },
    ...devFlags,
  });
  if (values.help) return { kind: "help", text: USAGE };
  const dev = DEV_NAMES.filter((n) => values[n.toLowerCase()]);
  if (dev.length > 1) throw new TypeError(`Choose one dev key, not ${dev.join(" and ")}`);
  if (dev.length && values.key) {
    throw new TypeError(`--${dev[0].toLowerCase()} and --key exclude each other`);
  }
  const key = values.key as string | undefined ?? (dev.length ? `//${dev[0]}` : undefined);
  const validator = (values.validator as boolean) || dev.length > 0;
  if (validator && !key) {
    throw new TypeError("--validator needs --key URI (or --alice ... --ferdie)");
  }
  const keyScheme = runScheme(values.scheme as string | undefined, key, validator);
  const basePath = values["base-path"] as string | undefined;
  const seal = values.seal as string;
  if (!["slots", "instant", "manual"].includes(seal)) {
    throw new TypeError(`--seal: expected slots, instant or manual, got ${seal}`);
  }
  const log = values.log as string;
  if (!["error", "warn", "info", "debug"].includes(log)) {
    throw new TypeError(`--log: expected error, warn, info or debug, got ${log}`);
  }
  const cors = values["rpc-cors"] as string | undefined;
  const publicUrl = values["public-url"] as string | undefined;
  if (publicUrl !== undefined && !URL.canParse(publicUrl)) {
    throw new TypeError(`--public-url: not a URL: ${publicUrl}`);
  }
  const reservedNodes = values["reserved-nodes"] as string[];
  const unnamed = reservedNodes.find((a) => !/\/p2p\/[^/]+$/.test(a));
  if (unnamed) throw new TypeError(`--reserved-nodes: expected ADDR/p2p/PEER_ID, got ${unnamed}`);
  const rpcExternal = values["rpc-external"] as boolean;
  const relayWorkers = count(values["relay-workers"] as string, "--relay-workers");
  if (relayWorkers > 64) throw new TypeError(`--relay-workers: at most 64, got ${relayWorkers}`);
  const rpcMethods = values["rpc-methods"] as string;
  if (!["safe", "unsafe", "auto"].includes(rpcMethods)) {
    throw new TypeError(`--rpc-methods: expected safe, unsafe or auto, got ${rpcMethods}`);
  }
  const unsafeEquivocate = values["unsafe-equivocate"] as boolean;
  if (unsafeEquivocate && !values["i-know-this-slashes-me"]) {
    throw new TypeError(
      "--unsafe-equivocate signs two blocks in each slot, an offence that is slashed: " +
        "add --i-know-this-slashes-me to run it on a development chain",
    );
  }
  const light = values.light as boolean;
  if (light && validator) {
    throw new TypeError("--light runs a light client, which cannot be a --validator");
  }
  const iceServers = values["ice-server"] as string[];
  const badIce = iceServers.find((u) => !/^(stun|stuns|turn|turns):/.test(u));
  if (badIce) throw new TypeError(`--ice-server: expected a stun: or turn: URL, got ${badIce}`);
  return {
    kind: "run",
    options: {
      chain: values.chain as string,
      basePath,
      tmp: (values.tmp as boolean) || (!basePath && dev.length > 0),
      name: (values.name as string | undefined) ?? `sutantra-${dev[0]?.toLowerCase() ?? "node"}`,
      validator,
      key,
      keyScheme,
      port: port(values.port as string, "--port"),
      listenAddr: values["listen-addr"] as string[],
      rpcPort: port(values["rpc-port"] as string, "--rpc-port"),
      prometheusPort: port(values["prometheus-port"] as string, "--prometheus-port"),
      bootnodes: values.bootnodes as string[],
      reservedNodes,
      reservedOnly: values["reserved-only"] as boolean,
      inPeers: count(values["in-peers"] as string, "--in-peers"),
      outPeers: count(values["out-peers"] as string, "--out-peers"),
      nodeKey: values["node-key"] as string | undefined,
      log: log as RunOptions["log"],
      rpcCors: cors === undefined ? LOCAL_ORIGINS : cors === "all" ? "all" : cors.split(","),
      rpcExternal,
      rpcMethods: rpcMethods === "auto" ? (rpcExternal ? "safe" : "unsafe") : rpcMethods as "safe",
      rpcLimits: {
        maxConnections: limit(values, "rpc-max-connections"),
        maxSubscriptionsPerConnection: limit(values, "rpc-max-subscriptions-per-connection"),
        maxRequestBytes: mebibytes(limit(values, "rpc-max-request-size")),
        maxResponseBytes: mebibytes(limit(values, "rpc-max-response-size")),
        rateLimit: limit(values, "rpc-rate-limit"),
      },
      publicUrl: publicUrl?.replace(/\/+$/, ""),
      iceServers,
      relayCapLoopback: values["relay-cap-loopback"] as boolean,
      relayWorkers,
      relayMaxViewers: values["relay-max-viewers"] === undefined
        ? defaultMaxViewers(relayWorkers)
        : count(values["relay-max-viewers"] as string, "--relay-max-viewers"),
      seal: seal as SealMode,
      pruning: {
        states: parseKeepBlocks(values["state-pruning"] as string, "--state-pruning"),
        blocks: parseKeepBlocks(values["blocks-pruning"] as string, "--blocks-pruning"),
      },
      trieCacheBytes: count(values["trie-cache-size"] as string, "--trie-cache-size") * 1024 * 1024,
      unsafeEquivocate,
      light,
    },
  };
}

function parse(args: readonly string[], options: ParseArgsOptionsConfig, subcommand?: string) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true });
  } catch (e) {
    throw flagError(e, `deno task node${subcommand === undefined ? "" : ` ${subcommand}`}`);
  }
}

/** Viewers a node serves by default: what its media plane serves without loss, measured. */
function defaultMaxViewers(workers: number): number {
  return workers === 0 ? IN_PROCESS_MAX_VIEWERS : workers * DEFAULT_MAX_VIEWERS_PER_WORKER;
}

function count(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 10_000) {
    throw new TypeError(`${flag}: expected a whole number from 0 to 10000, got ${text}`);
  }
  return n;
}

/** An RPC limit flag's whole number (at least 1), or `undefined` when the flag is absent. */
function limit(values: Record<string, unknown>, name: string): number | undefined {
  const text = values[name] as string | undefined;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) {
    throw new TypeError(`--${name}: expected a whole number from 1, got ${text}`);
  }
  return n;
}

function mebibytes(n: number | undefined): number | undefined {
  return n === undefined ? undefined : n * 1024 * 1024;
}

/** The scheme of the node's `--key`: ed25519 unless said, and always for a validator. */
function runScheme(
  text: string | undefined,
  key: string | undefined,
  validator: boolean,
): KeyScheme {
  if (text === undefined) return "ed25519";
  if (!key) throw new TypeError("--scheme is the scheme of --key URI, which is missing");
  let scheme: KeyScheme;
  try {
    scheme = parseKeyScheme(text);
  } catch (e) {
    throw new TypeError(`--scheme: ${(e as Error).message}`);
  }
  if (validator && scheme !== "ed25519") {
    throw new TypeError(
      `--scheme ${scheme}: a validator's --key is its session key, which is ed25519 ` +
        "(blocks and finality votes are signed with it); only a node that relays and does " +
        "not validate may have an sr25519 or ecdsa account",
    );
  }
  return scheme;
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new TypeError(`${flag}: expected a port number from 0 to 65535, got ${text}`);
  }
  return n;
}
