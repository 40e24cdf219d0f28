/**
 * Runs a client command and says what happened, in words and an exit code.
 *
 * @module
 */
import { signerFromUri } from "../../runtime/crypto/signer.ts";
import type { ClientCommand } from "../cli/client_args.ts";
import { NodeConnection, type TxOutcome } from "./commands.ts";
import { streamToken } from "./stream_token.ts";
import { openLightConnection } from "./light_connection.ts";
import { toHex } from "../../runtime/primitives/hex.ts";

/** What a client command printed and its exit code. */
export interface ClientResult {
  code: number;
  lines: string[];
}

/**
 * Runs `command` against its node. A long-running command (`stream watch`)
 * prints its progress through `print` as it goes.
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
    const result = await run(node, command, print);
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
  print: (line: string) => void,
): Promise<ClientResult> {
  switch (command.kind) {
    case "tx": {
      const outcome = await node.submit(
        command.pallet,
        command.call,
        command.args,
        signerFromUri(command.from, command.scheme),
        command.wait,
      );
      return describe(outcome);
    }
    case "query-balance": {
      const account = await node.queryStorage("System", "Account", [command.address]) as {
        data: { free: unknown; reserved: unknown; frozen: unknown };
        nonce: number;
      };
      const { free, reserved, frozen } = account.data;
      return {
        code: 0,
        lines: [
          `free: ${free}`,
          `reserved: ${reserved}`,
          `frozen: ${frozen}`,
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
          return `#${id} ${JSON.stringify(s.title)} ${s.pricePerSecond}/s ${
            show(s.status)
          } by ${s.creator}`;
        }),
      };
    }
    case "stream-token":
      return { code: 0, lines: await streamToken(node, command) };
    case "stream-watch": {
      // Loaded only to watch: werift is heavy for the other commands.
      const { watchStream } = await import("./watch.ts");
      return { code: await watchStream(node, command, print), lines: [] };
    }
  }
}

function describe(outcome: TxOutcome): ClientResult {
  const lines = [`Transaction ${outcome.hash}`];
  switch (outcome.status) {
    case "finalized":
    case "in-block":
      lines.push(
        `${outcome.status === "finalized" ? "Finalized" : "In block"} ${outcome.blockHash}`,
      );
      break;
    case "failed":
      lines.push(`In block ${outcome.blockHash}, but it failed: ${errorText(outcome)}`);
      break;
    default:
      lines.push(`Not included: ${outcome.status}`);
  }
  for (const e of outcome.events) lines.push(`  ${e.pallet}.${e.name} ${show(e.fields)}`);
  return { code: outcome.status === "finalized" || outcome.status === "in-block" ? 0 : 1, lines };
}

function errorText(outcome: TxOutcome): string {
  const error = outcome.error!;
  const name = error.pallet ? `${error.pallet}.${error.name}` : error.name;
  return error.docs ? `${name}: ${error.docs}` : name;
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v);
}
