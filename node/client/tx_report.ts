/**
 * What a client command prints about a transaction: its progress while it
 * waits, then its fate, a line a person reads first (`Created stream #3`,
 * `Fee: 0.0012 STREAM`), and its events with their amounts in the chain's
 * token (exact, so nothing is lost; `--planck` prints planck).
 *
 * @module
 */
import type { RuntimeMetadata } from "../../runtime/executive/metadata.ts";
import type { AmountFormat } from "./amounts.ts";
import type { TxOutcome, TxProgress } from "./commands.ts";

type Fields = Record<string, unknown>;

/** The line a person reads for an event, where one is worth more than its fields. */
const SUMMARIES: Record<string, (f: Fields, format: AmountFormat) => string> = {
  "Streams.StreamCreated": (f, format) =>
    `Created stream #${f.id} at ${format.price(planck(f.pricePerSecond))}`,
  "Access.ChannelOpened": (f, format) =>
    `Opened channel #${f.channel} to stream #${f.stream}: deposit ${
      format.amount(planck(f.deposit))
    }, expires at block #${f.expiry}`,
  "Balances.Transfer": (f, format) =>
    `Transferred ${format.amount(planck(f.amount))} from ${f.from} to ${f.to}`,
  "Staking.Bonded": (f, format) => `Bonded ${format.amount(planck(f.amount))}`,
  "TransactionPayment.TransactionFeePaid": (f, format) => {
    const tip = planck(f.tip);
    return `Fee: ${format.amount(planck(f.actualFee))}${
      tip > 0n ? ` (tip ${format.amount(tip)})` : ""
    }`;
  },
};

/** The line for a step of a transaction's wait. */
export function describeProgress(progress: TxProgress): string {
  switch (progress.kind) {
    case "submitted":
      return `Submitted ${progress.hash}`;
    case "in-block":
      return `In block #${progress.number} (${progress.blockHash}), waiting for finality…`;
    case "retracted":
      return `Block ${progress.blockHash} left the best chain; waiting for another block…`;
    case "finality-stalled":
      return `Finality is stalled at #${progress.finalized} while blocks go on (best ` +
        `#${progress.best}): it needs more than two thirds of the validators; still waiting ` +
        "(Ctrl-C stops waiting; the transaction stays in its block)";
  }
}

/** The lines for a transaction's fate, and the exit code it means. */
export function describeOutcome(
  outcome: TxOutcome,
  metadata: RuntimeMetadata,
  format: AmountFormat,
  stallMs: number,
): { code: number; lines: string[] } {
  const at = `#${outcome.blockNumber} (${outcome.blockHash})`;
  const lines: string[] = [];
  switch (outcome.status) {
    case "finalized":
      lines.push(`Finalized in ${at}`);
      break;
    case "in-block":
      lines.push(`In block ${at}`);
      break;
    case "failed":
      lines.push(`In block ${at}, but it failed: ${errorText(outcome)}`);
      break;
    case "stalled":
      lines.push(
        `No new block and no word on the transaction for ${Math.round(stallMs / 1000)} s: ` +
          "the chain seems stalled, so this stops waiting.",
        `Transaction ${outcome.hash} may still be included. To check, ` +
          `deno task node query balance ${outcome.signer} prints the signer's nonce: ` +
          `${outcome.nonce} until it is included, ${outcome.nonce + 1} after.`,
      );
      break;
    default:
      lines.push(`Not included: ${outcome.status}`);
  }
  for (const e of outcome.events) {
    const summary = SUMMARIES[`${e.pallet}.${e.name}`];
    if (summary) lines.push(summary(e.fields, format));
  }
  for (const e of outcome.events) {
    lines.push(`  ${e.pallet}.${e.name} ${show(withAmounts(metadata, e, format))}`);
  }
  return { code: outcome.status === "finalized" || outcome.status === "in-block" ? 0 : 1, lines };
}

/** `event`'s fields with its balances (the metadata types them `Balance`) as amounts. */
function withAmounts(
  metadata: RuntimeMetadata,
  event: TxOutcome["events"][number],
  format: AmountFormat,
): Fields {
  const declared = metadata.pallets.find((p) => p.name === event.pallet)?.events
    .find((e) => e.name === event.name)?.fields ?? [];
  const out: Fields = { ...event.fields };
  for (const { name, type } of declared) {
    if (type.name !== "Balance" || out[name] === undefined) continue;
    // A price is a balance per second (`pricePerSecond`), as its name says.
    out[name] = `${format.amount(planck(out[name]))}${name.startsWith("price") ? "/s" : ""}`;
  }
  return out;
}

function planck(value: unknown): bigint {
  return BigInt(String(value));
}

function errorText(outcome: TxOutcome): string {
  const error = outcome.error!;
  const name = error.pallet ? `${error.pallet}.${error.name}` : error.name;
  return error.docs ? `${name}: ${error.docs}` : name;
}

/** JSON with bigints as their digits. */
export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v);
}
