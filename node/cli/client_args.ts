/**
 * The command lines of the client subcommands: `tx`, `query` and `stream`.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { MAX_TOKEN_SECONDS } from "../../client/relay/token.ts";
import { sessionKeyProofPayload } from "../../pallets/staking/mod.ts";
import {
  accountOf,
  keypairFromUri,
  type KeyScheme,
  parseKeyScheme,
  signerFromUri,
} from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { type AmountArg, parseAmountArg, parsePriceArg } from "../client/amounts.ts";
import type { WaitFor } from "../client/commands.ts";
import {
  type ClientGroup,
  commandUsage,
  flagError,
  groupUsage,
  subcommandsOf,
  unknownSubcommand,
} from "./client_usage.ts";

/** Where a `--light` client command finds full nodes to ask. */
export interface LightOptions {
  /** The chain spec (`dev`, `local` or a path), whose checkpoint the light client starts from. */
  chain: string;
  /** Full nodes' multiaddrs (with `/p2p/ID`); the spec's boot nodes when empty. */
  bootnodes: string[];
}

/**
 * A client command, ready to run against a node; with `light`, against an
 * in-process light client that checks every answer (the node at `rpc` then
 * serves only as the relay); with `planck`, printing amounts in planck.
 */
export type ClientCommand = ClientAction & { light?: LightOptions; planck?: true };

/** What a client command does. */
type ClientAction =
  | {
    kind: "tx";
    pallet: string;
    call: string;
    args: Record<string, unknown>;
    /**
     * Arguments given as amounts (`--amount 1.5`), which become planck once
     * the node has said its token's decimals.
     */
    amounts?: Record<string, AmountArg>;
    /** The signer's secret URI. */
    from: string;
    /** The scheme of `from`'s key (`--scheme`). */
    scheme: KeyScheme;
    rpc: string;
    wait: WaitFor;
  }
  | { kind: "query-storage"; pallet: string; item: string; keys: unknown[]; rpc: string }
  | { kind: "query-balance"; address: string; rpc: string }
  | { kind: "stream-list"; rpc: string }
  | {
    kind: "stream-token";
    stream: number;
    /** The signer's secret URI: the creator's to publish, a viewer's to watch. */
    key: string;
    /** The scheme of `key` (`--scheme`). */
    scheme: KeyScheme;
    role: "publish" | "watch";
    /** How long the token is good for, in seconds. */
    seconds: number;
    rpc: string;
  }
  | {
    kind: "stream-watch";
    stream: number;
    /** The viewer's secret URI: opens the channel, signs the token and vouchers. */
    key: string;
    /** The scheme of `key` (`--scheme`). */
    scheme: KeyScheme;
    /** What to deposit if a channel must be opened; undefined picks a default. */
    deposit?: AmountArg;
    /** Stop after this many seconds; undefined watches until Ctrl-C. */
    seconds?: number;
    /** How long to wait for the stream's publisher before giving up, in seconds. */
    waitPublisher: number;
    rpc: string;
  };

/** Seconds `stream watch` waits for a publisher by default before giving up. */
export const DEFAULT_WAIT_PUBLISHER_SECONDS = 600;

/**
 * The help `args` ask for after `group` (`--help` or `-h` anywhere, or no
 * subcommand at all): the group's list of subcommands, or one subcommand's
 * usage. Undefined when `args` are a command to run.
 *
 * @throws {TypeError} when help is asked for a subcommand the group does not have
 */
export function clientHelp(group: ClientGroup, args: readonly string[]): string | undefined {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: false,
    options: OPTIONS,
  });
  const [sub] = positionals;
  if (sub === undefined) return groupUsage(group);
  if (!values.help) return undefined;
  return commandUsage(group, sub);
}

/**
 * Parses `tx …`, `query …` or `stream …`.
 *
 * @throws {TypeError} naming what is missing or wrong
 */
export function parseClientArgs(group: ClientGroup, args: readonly string[]): ClientCommand {
  const { values, positionals } = parse(group, args);
  const action = parseAction(group, values, positionals);
  return {
    ...action,
    ...(values.light
      ? { light: { chain: values.chain as string, bootnodes: values.bootnodes as string[] } }
      : {}),
    ...(values.planck ? { planck: true as const } : {}),
  };
}

function parseAction(
  group: ClientGroup,
  values: ReturnType<typeof parse>["values"],
  positionals: string[],
): ClientAction {
  const rpc = values.rpc as string;
  const wait = values.wait as WaitFor;
  if (!["in-block", "finalized"].includes(wait)) {
    throw new TypeError(`--wait: expected in-block or finalized, got ${wait}`);
  }
  const [sub, ...rest] = positionals;
  const scheme = keyScheme(values.scheme as string);
  const from = () => required(values.from as string | undefined, "--from URI");
  const amount = () =>
    parseAmountArg(required(values.amount as string | undefined, "--amount AMOUNT"), "--amount");
  const tx = (
    pallet: string,
    call: string,
    callArgs: Record<string, unknown>,
    amounts?: Record<string, AmountArg>,
  ): ClientAction => ({
    kind: "tx",
    pallet,
    call,
    args: callArgs,
    ...(amounts ? { amounts } : {}),
    from: from(),
    scheme,
    rpc,
    wait,
  });
  switch (`${group} ${sub}`) {
    case "tx transfer":
      return tx(
        "Balances",
        values["allow-death"] ? "transferAllowDeath" : "transferKeepAlive",
        { dest: { Id: required(values.to as string | undefined, "--to ADDRESS") } },
        { value: amount() },
      );
    case "tx bond":
      return tx("Staking", "bond", {}, { value: amount() });
    case "tx set-keys": {
      // The key proves it is held by whoever sets it: it signs the stash.
      const key = keypairFromUri(required(values.key as string | undefined, "--key URI"));
      const stash = accountOf(signerFromUri(from(), scheme));
      return tx("Staking", "setKeys", {
        key: toHex(key.publicKey),
        proof: toHex(key.sign(sessionKeyProofPayload(stash))),
      });
    }
    case "tx validate":
      return tx("Staking", "validate", {
        prefs: { commissionPerbill: Number(values.commission ?? 0), blocked: false },
      });
    case "tx call": {
      const [pallet, call, json] = rest;
      if (!pallet || !call) throw new TypeError("tx call: expected PALLET CALL '<args as JSON>'");
      return tx(pallet, call, json === undefined ? {} : jsonObject(json, "call arguments"));
    }
    case "query balance": {
      const [address] = rest;
      return { kind: "query-balance", address: required(address, "ADDRESS"), rpc };
    }
    case "query storage": {
      const [pallet, item, ...keys] = rest;
      if (!pallet || !item) throw new TypeError("query storage: expected PALLET ITEM [KEY...]");
      return { kind: "query-storage", pallet, item, keys: keys.map((k) => json(k, "key")), rpc };
    }
    case "stream create": {
      const [title] = rest;
      return tx("Streams", "createStream", { title: required(title, '"Title"'), meta: "0x" }, {
        pricePerSecond: parsePriceArg(
          required(values.price as string | undefined, "--price PRICE (e.g. 0.6/min)"),
          "--price",
        ),
      });
    }
    case "stream list":
      return { kind: "stream-list", rpc };
    case "stream go-live":
      return tx("Streams", "goLive", { id: streamId(rest[0]) });
    case "stream end":
      return tx("Streams", "endStream", { id: streamId(rest[0]) });
    case "stream remove":
      return tx("Access", "removeStream", { stream: streamId(rest[0]) });
    case "stream token": {
      const role = values.role as string;
      if (role !== "publish" && role !== "watch") {
        throw new TypeError(`--role: expected publish or watch, got ${role}`);
      }
      const hours = values.hours as string | undefined;
      if (hours !== undefined && role === "watch") {
        throw new TypeError("--hours: a watch token lasts 10 minutes (it only starts a session)");
      }
      if (hours !== undefined && !/^([1-9]|1\d|2[0-4])$/.test(hours)) {
        throw new TypeError(`--hours: expected a whole number from 1 to 24, got ${hours}`);
      }
      return {
        kind: "stream-token",
        stream: streamId(rest[0]),
        key: required(values.key as string | undefined, "--key URI"),
        scheme,
        role,
        seconds: hours === undefined ? MAX_TOKEN_SECONDS[role] : Number(hours) * 3600,
        rpc,
      };
    }
    case "stream watch": {
      const [id] = rest;
      const seconds = values.seconds as string | undefined;
      if (seconds !== undefined && !/^[1-9]\d*$/.test(seconds)) {
        throw new TypeError(`--seconds: expected a positive whole number, got ${seconds}`);
      }
      const deposit = values.deposit as string | undefined;
      const wait = values["wait-publisher"] as string | undefined;
      if (wait !== undefined && !/^\d{1,7}$/.test(wait)) {
        throw new TypeError(`--wait-publisher: expected a whole number of seconds, got ${wait}`);
      }
      return {
        kind: "stream-watch",
        stream: streamId(id),
        key: required(values.key as string | undefined, "--key URI"),
        scheme,
        deposit: deposit === undefined ? undefined : parseAmountArg(deposit, "--deposit"),
        seconds: seconds === undefined ? undefined : Number(seconds),
        waitPublisher: wait === undefined ? DEFAULT_WAIT_PUBLISHER_SECONDS : Number(wait),
        rpc,
      };
    }
    default:
      throw unknownSubcommand(group, sub);
  }
}

const OPTIONS = {
  rpc: { type: "string", default: "ws://127.0.0.1:9944" },
  from: { type: "string" },
  to: { type: "string" },
  amount: { type: "string" },
  price: { type: "string" },
  commission: { type: "string" },
  key: { type: "string" },
  deposit: { type: "string" },
  seconds: { type: "string" },
  "wait-publisher": { type: "string" },
  role: { type: "string", default: "publish" },
  scheme: { type: "string", default: "ed25519" },
  hours: { type: "string" },
  wait: { type: "string", default: "finalized" },
  "allow-death": { type: "boolean", default: false },
  light: { type: "boolean", default: false },
  chain: { type: "string", default: "dev" },
  bootnodes: { type: "string", multiple: true, default: [] },
  planck: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} satisfies ParseArgsOptionsConfig;

function parse(group: ClientGroup, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e) {
    // node:util's message names the flag; say where the right ones are listed.
    const sub = args.find((a) => subcommandsOf(group).includes(a));
    throw flagError(e, `deno task node ${group}${sub ? ` ${sub}` : ""}`);
  }
}

function keyScheme(text: string): KeyScheme {
  try {
    return parseKeyScheme(text);
  } catch (e) {
    throw new TypeError(`--scheme: ${(e as Error).message}`);
  }
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw new TypeError(`Missing ${what}`);
  return value;
}

function streamId(text: string | undefined): number {
  return Number(whole(required(text, "stream ID"), "stream ID"));
}

function whole(text: string, what: string): string {
  if (!/^\d{1,15}$/.test(text)) {
    throw new TypeError(`${what}: expected a whole number, got ${text}`);
  }
  return text;
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A bare word (an address, a name) is taken as a string.
    if (/^[\w.-]+$/.test(text)) return text;
    throw new TypeError(`Cannot parse the ${what} as JSON: ${text}`);
  }
}

function jsonObject(text: string, what: string): Record<string, unknown> {
  const value = json(text, what);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`The ${what} must be a JSON object, e.g. '{"remark": "0x01"}'`);
  }
  return value as Record<string, unknown>;
}
