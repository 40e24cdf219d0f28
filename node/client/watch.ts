/**
 * `stream watch ID`: watch a stream headlessly from the node the client
 * talks to, paying per second by voucher. Waits first, without locking any
 * money, until the stream is live and a relay has its publisher (see
 * `stream_availability.ts`); then opens an access channel when the stream
 * has a price and the viewer has none, and prints a line a second
 * (frames/s, bitrate, loss, paid) and the relay's warnings.
 *
 * @module
 */
import { type AccountSigner, type KeyScheme, signerFromUri } from "../../runtime/crypto/signer.ts";
import { ss58Encode } from "../../runtime/crypto/ss58.ts";
import { issueToken } from "../../client/relay/token.ts";
import type { RelayMessage } from "../../client/relay/pay_messages.ts";
import type { NodeConnection } from "./commands.ts";
import { SdpExchangeError } from "../../client/relay/whep_client.ts";
import { HeadlessViewer, type ViewerStats } from "./headless_viewer.ts";
import { httpBase } from "./stream_token.ts";
import { type AmountArg, type AmountFormat, planckOf } from "./amounts.ts";
import { streamAvailability, waitForPublisher } from "./stream_availability.ts";

/** What `stream watch` was asked to do. */
export interface WatchRequest {
  stream: number;
  /** The viewer's secret URI. */
  key: string;
  scheme: KeyScheme;
  deposit?: AmountArg;
  seconds?: number;
  /** How long to wait for the stream's publisher before giving up, in seconds. */
  waitPublisher: number;
  rpc: string;
}

/** Seconds of watching a default deposit pays for. */
const DEFAULT_DEPOSIT_SECONDS = 3600n;
/** The longest a new channel locks its deposit for, in seconds (before the grace). */
const MAX_EXPIRY_SECONDS = 24n * 3600n;

/**
 * Waits for the stream's publisher, then watches until `seconds` pass,
 * Ctrl-C, or the relay cuts the session off; prints progress through
 * `print`, amounts as `format` says. Returns the exit code.
 */
export async function watchStream(
  node: NodeConnection,
  request: WatchRequest,
  format: AmountFormat,
  print: (line: string) => void,
): Promise<number> {
  const key = signerFromUri(request.key, request.scheme);
  const account = ss58Encode(key.account, node.metadata.ss58Format);
  // A bad --deposit is said before any waiting.
  const deposit = request.deposit && planckOf(request.deposit, node.token);
  const stream = await node.queryStorage("Streams", "Streams", [request.stream]) as
    | { title: string; pricePerSecond: unknown; creator: string }
    | undefined;
  if (!stream) throw new Error(`No stream #${request.stream} on this chain`);
  const price = BigInt(String(stream.pricePerSecond));
  const genesis = await node.rpc.call<string>("chain_getBlockHash", [0]);
  print(
    `Stream #${request.stream} ${JSON.stringify(stream.title)}: ${
      price === 0n ? "free" : format.price(price)
    }`,
  );

  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    const base = httpBase(request.rpc);
    let pay: { channel: bigint } | undefined;
    for (;;) {
      const published = await waitForPublisher(
        () => streamAvailability({ node, stream: request.stream, relay: base }),
        {
          stream: request.stream,
          deadlineMs: request.waitPublisher * 1000,
          signal: interrupted.signal,
          print,
        },
      );
      if (published === undefined) {
        print("Stopped waiting (Ctrl-C); no channel was opened");
        return 0;
      }
      pay ??= price > 0n && stream.creator !== account
        ? await ensureChannel(node, request, deposit, key, account, price, format, print)
        : undefined;
      const viewer = await startViewer(base, pay).catch((e) => {
        // The publisher left between the check and the request: wait for it again.
        if (e instanceof SdpExchangeError && e.status === 409) return undefined;
        throw e instanceof SdpExchangeError ? refusal(e, request.stream) : e;
      });
      if (viewer) return await watch(viewer, base);
      print(`The relay says stream #${request.stream} is not live yet; waiting again`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }

  function startViewer(base: string, pay: { channel: bigint } | undefined) {
    return HeadlessViewer.start({
      whepUrl: `${base}/whep/${request.stream}`,
      // A full node sends the viewer to another relay: a token for each relay it is sent to.
      token: (url) =>
        issueToken(key, { genesis, stream: request.stream, role: "watch", audience: url, account }),
      loopback: isLoopback(base),
      // The serving relay names itself the payee and says what its lane of the channel covered
      // (`paid`): vouchers go on from there, to whichever relay serves.
      pay: pay && { key, channel: pay.channel },
      onMessage: (m) => {
        const line = describeRelayMessage(m);
        if (line) print(line);
      },
    });
  }

  async function watch(viewer: HeadlessViewer, base: string): Promise<number> {
    if (viewer.endpoint !== `${base}/whep/${request.stream}`) {
      print(`${base} serves all the viewers it can: sent on to ${new URL(viewer.endpoint).origin}`);
    }
    print(
      `Watching from ${new URL(viewer.endpoint).origin} (session ${viewer.location}); Ctrl-C ends`,
    );
    let last = viewer.stats();
    let elapsed = 0;
    const ticker = setInterval(() => {
      const now = viewer.stats();
      elapsed++;
      print(formatTick(elapsed, last, now, format));
      last = now;
    }, 1000);
    const stopped = new Promise<"interrupted">((resolve) => {
      if (interrupted.signal.aborted) resolve("interrupted");
      interrupted.signal.addEventListener("abort", () => resolve("interrupted"));
    });
    const limit = request.seconds === undefined
      ? new Promise<never>(() => {})
      : new Promise<"done">((r) => setTimeout(() => r("done"), request.seconds! * 1000));
    try {
      const outcome = await Promise.race([viewer.ended, stopped, limit]);
      print(outcome === "cutoff" ? "Cut off by the relay" : `Session over (${outcome})`);
      return outcome === "cutoff" || outcome === "disconnected" ? 1 : 0;
    } finally {
      clearInterval(ticker);
      await viewer.stop();
      print(`Paid ${format.amount(viewer.stats().paid)} in total on this channel`);
    }
  }
}

/** The viewer's channel to the stream, opened (and waited into a block) if there is none. */
async function ensureChannel(
  node: NodeConnection,
  request: WatchRequest,
  requested: bigint | undefined,
  key: AccountSigner,
  account: string,
  price: bigint,
  format: AmountFormat,
  print: (line: string) => void,
): Promise<{ channel: bigint }> {
  const existing = await channelOf(node, account, request.stream);
  if (existing) {
    print(
      `Channel #${existing.channel}: ${format.amount(existing.claimed)} of ${
        format.amount(existing.deposit)
      } claimed`,
    );
    return existing;
  }
  const minDeposit = BigInt(String(await node.queryStorage("Access", "MinDeposit", [])));
  const blockMs = BigInt(String(await node.queryStorage("Access", "BlockTimeMs", [])));
  const graceSeconds = BigInt(String(await node.queryStorage("Access", "GraceSeconds", [])));
  let deposit = requested ?? price * DEFAULT_DEPOSIT_SECONDS;
  if (requested === undefined && deposit < minDeposit) deposit = minDeposit;
  // Expiry: the seconds the deposit pays for (at most a day) plus the grace, in blocks.
  const header = await node.rpc.call<{ number: string }>("chain_getHeader");
  const paidFor = deposit / price;
  const seconds = (paidFor < MAX_EXPIRY_SECONDS ? paidFor : MAX_EXPIRY_SECONDS) + graceSeconds;
  const expiry = Number(BigInt(header.number) + (seconds * 1000n + blockMs - 1n) / blockMs + 1n);
  print(
    `Opening a channel: deposit ${format.amount(deposit)} (${minutes(paidFor)} of watching at ${
      format.price(price)
    }), expiry block #${expiry}`,
  );
  const outcome = await node.submit(
    "Access",
    "openChannel",
    { stream: request.stream, deposit: deposit.toString(), expiry },
    key,
    { wait: "in-block" },
  );
  if (outcome.status !== "in-block" && outcome.status !== "finalized") {
    const why = outcome.error ? `${outcome.error.pallet}.${outcome.error.name}` : outcome.status;
    throw new Error(`Cannot open a channel: ${why}`);
  }
  const opened = await channelOf(node, account, request.stream);
  if (!opened) throw new Error("Cannot open a channel: not found after its block");
  print(
    `Channel #${opened.channel} opened in block #${outcome.blockNumber} (${outcome.blockHash})`,
  );
  return opened;
}

/** `seconds` as minutes, rounded down (`61 min`), or seconds below one. */
function minutes(seconds: bigint): string {
  return seconds >= 60n ? `${seconds / 60n} min` : `${seconds} s`;
}

async function channelOf(node: NodeConnection, account: string, stream: number) {
  const id = await node.queryStorage("Access", "ChannelsByViewer", [account, stream]);
  if (id === undefined || id === null) return undefined;
  const channel = await node.queryStorage("Access", "Channels", [id]) as
    | { deposit: unknown; claimed: unknown }
    | undefined;
  if (!channel) return undefined;
  return {
    channel: BigInt(String(id)),
    deposit: BigInt(String(channel.deposit)),
    claimed: BigInt(String(channel.claimed)),
  };
}

function refusal(e: SdpExchangeError, stream: number): Error {
  const why = e.status === 409
    ? `not live${e.retryAfter === undefined ? "" : `; retry in ${e.retryAfter} s`}`
    : e.status === 401 || e.status === 403
    ? `access denied (${e.status}: ${e.body})`
    : `${e.status}: ${e.body}`;
  return new Error(`The node will not serve stream #${stream}: ${why}`);
}

function isLoopback(base: string): boolean {
  const host = new URL(base).hostname;
  return host === "127.0.0.1" || host === "localhost";
}

/** One progress line: rates over the last second, totals so far. */
export function formatTick(
  second: number,
  before: ViewerStats,
  now: ViewerStats,
  format: AmountFormat,
): string {
  const frames = now.video.frames - before.video.frames;
  const bytes = now.video.bytes + now.audio.bytes - before.video.bytes - before.audio.bytes;
  const packets = now.video.packets - before.video.packets;
  const lost = now.video.lost - before.video.lost;
  const loss = packets + lost > 0 ? (100 * lost) / (packets + lost) : 0;
  return `${String(second).padStart(4)}s  ${String(frames).padStart(3)} fps  ${
    (bytes * 8 / 1e6).toFixed(2)
  } Mbit/s  loss ${loss.toFixed(1)}%  paid ${format.amount(now.paid)}`;
}

function describeRelayMessage(message: RelayMessage): string | undefined {
  switch (message.type) {
    case "warning":
      return `Warning: ${message.reason}; cut off in ${message.cutoffIn} s`;
    case "cutoff":
      return `Cutoff: ${message.reason}`;
    case "refused":
      return `Refused ${message.what}: ${message.reason}`;
    default:
      return undefined;
  }
}
