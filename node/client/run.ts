/**
 * Runs a client command and says what happened, in words and an exit code.
 *
 * @module
 */
import { signerFromUri } from "../../runtime/crypto/signer.ts";
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
      return {
        code: 0,
        lines: [show(await node.queryStorage(command.pallet, command.item, command.keys))],
      };
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
