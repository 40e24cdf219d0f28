/**
 * Runs a client command and says what happened, in words and an exit code.
 *
 * @module
 */
import { signerFromUri } from "../../runtime/crypto/signer.ts";
import { storageItemOf } from "../../client/metadata.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { ClientCommand } from "../cli/client_args.ts";
import { type AmountFormat, amountFormat, planckOf } from "./amounts.ts";
import { NodeConnection, STALL_MS } from "./commands.ts";
import { openLightConnection } from "./light_connection.ts";
import { streamToken } from "./stream_token.ts";
import { describeOutcome, describeProgress, show } from "./tx_report.ts";

/** What a client command printed and its exit code. */
export interface ClientResult {
  code: number;
  lines: string[];
}

/**
 * Runs `command` against its node. Progress (a transaction's wait, `stream
 * watch`) is printed through `print` as it goes.
 */
export async function runClientCommand(
  command: ClientCommand,
  print: (line: string) => void = console.log,
): Promise<ClientResult> {
  const light = command.light && await openLightConnection(command.light);
  const node = light
    ? await NodeConnection.over(light.rpc)
    : await NodeConnection.open(command.rpc);
  try {
    const format = amountFormat(node.token, { planck: command.planck });
    const result = await run(node, command, format, print);
    if (light) {
      const at = light.chain.finalizedBlock;
      result.lines.push(
        `(verified by a light client at finalized #${at.header.number} ${toHex(at.hash)}: ` +
          `${light.chain.client.proofsVerified} proofs checked, no node trusted)`,
      );
    }
    return result;
  } finally {
    node.close();
    await light?.close();
  }
}

/** Runs `command` over `node`. */
async function run(
  node: NodeConnection,
  command: ClientCommand,
  format: AmountFormat,
  print: (line: string) => void,
): Promise<ClientResult> {
  switch (command.kind) {
    case "tx": {
      // Amounts become planck now that the node has said its token's decimals.
      const amounts = Object.entries(command.amounts ?? {}).map((
        [name, arg],
      ) => [name, planckOf(arg, node.token).toString()]);
      const outcome = await node.submit(
        command.pallet,
        command.call,
        { ...command.args, ...Object.fromEntries(amounts) },
        signerFromUri(command.from, command.scheme),
        { wait: command.wait, onProgress: (p) => print(describeProgress(p)) },
      );
      return describeOutcome(outcome, node.metadata, format, STALL_MS);
    }
    case "query-balance": {
      const account = await node.queryStorage("System", "Account", [command.address]) as {
        data: { free: unknown; reserved: unknown; frozen: unknown };
        nonce: number;
      };
      const { free, reserved, frozen } = account.data;
      const amount = (v: unknown) => format.amount(BigInt(String(v)));
      return {
        code: 0,
        lines: [
          `free: ${amount(free)}`,
          `reserved: ${amount(reserved)}`,
          `frozen: ${amount(frozen)}`,
          `nonce: ${account.nonce}`,
        ],
      };
    }
    case "query-storage":
      return await queryStorage(node, command);
    case "stream-list": {
      const streams = await node.mapEntries("Streams", "Streams");
      if (!streams.length) return { code: 0, lines: ["No streams"] };
      return {
        code: 0,
        lines: streams.map(([id, info]) => {
          const s = info as {
            title: string;
            pricePerSecond: unknown;
            status: unknown;
            creator: string;
          };
          const price = BigInt(String(s.pricePerSecond));
          return `#${id} ${JSON.stringify(s.title)} ${
            price === 0n ? "free" : format.price(price)
          } ${statusName(s.status)} by ${s.creator}`;
        }),
      };
    }
    case "stream-token":
      return { code: 0, lines: await streamToken(node, command) };
    case "stream-watch": {
      // Loaded only to watch: werift is heavy for the other commands.
      const { watchStream } = await import("./watch.ts");
      return { code: await watchStream(node, command, format, print), lines: [] };
    }
  }
}

/** A stream's status as a word (`Live`), whatever shape its JSON has. */
function statusName(status: unknown): string {
  if (typeof status === "string") return status;
  if (status && typeof status === "object" && "tag" in status) return String(status.tag);
  return show(status);
}

/** Entries `query storage` lists of a map given fewer keys than it takes. */
const LISTED_ENTRIES = 100;

/**
 * A storage value, or, given fewer keys than a map takes (none, or a
 * double map's first), its entries under them: a line each, key(s) then value.
 */
async function queryStorage(
  node: NodeConnection,
  command: Extract<ClientCommand, { kind: "query-storage" }>,
): Promise<ClientResult> {
  const { pallet, item, keys } = command;
  if (keys.length >= storageItemOf(node.metadata, pallet, item).item.keys.length) {
    return { code: 0, lines: [show(await node.queryStorage(pallet, item, keys))] };
  }
  const entries = await node.entriesUnder(pallet, item, keys, LISTED_ENTRIES + 1);
  const lines = entries.slice(0, LISTED_ENTRIES).map(([k, v]) =>
    `${show(k.length === 1 ? k[0] : k)} => ${show(v)}`
  );
  if (entries.length === 0) {
    lines.push(`No entries in ${pallet}.${item}${keys.length ? ` under ${show(keys)}` : ""}`);
  }
  if (entries.length > LISTED_ENTRIES) {
    lines.push(`(the first ${LISTED_ENTRIES}; give more keys to narrow the list)`);
  }
  return { code: 0, lines };
}
