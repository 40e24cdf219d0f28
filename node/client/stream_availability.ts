/**
 * Whether a stream can be watched now, before a viewer locks money in a
 * channel for it: it must exist, be live on chain, and have its publisher
 * at some relay. "Live" is network-wide: the relay the viewer watches from
 * may not carry it yet (it pulls from a carrier when asked), so the relays
 * the chain lists as carrying it (`Streams.StreamRelays`, endpoints in
 * `QosRewards.Relays`) are asked too, each by `GET /relay/streams`.
 * {@link waitForPublisher} waits, checking again with a growing pause, while
 * the stream is offline.
 *
 * @module
 */
import type { CarriedStream } from "../../client/relay/answers.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import type { NodeConnection } from "./commands.ts";

/** Where a stream stands for a viewer. */
export type Availability =
  /** A relay has its media (from the publisher, or pulled): `relay` is its origin. */
  | { kind: "published"; relay: string }
  /** It may come: not live on chain yet, or live with no publisher anywhere known. */
  | { kind: "offline"; reason: string }
  | { kind: "ended" }
  | { kind: "missing" };

/** What {@link streamAvailability} reads: the chain, and relays over HTTP. */
export interface AvailabilityInit {
  /** The chain, as the client reads it. */
  node: Pick<NodeConnection, "queryStorage" | "entriesUnder">;
  /** The stream's id. */
  stream: number;
  /** The origin of the relay the viewer watches from (`http://127.0.0.1:9944`). */
  relay: string;
  /** How relays are asked (tests give their own). */
  fetch?: typeof fetch;
  /** How long a relay has to answer. */
  timeoutMs?: number;
}

/** How long a relay has to say what it carries. */
const RELAY_TIMEOUT_MS = 3_000;

/** Where `stream` stands now: on chain, then at the viewer's relay, then at its carriers. */
export async function streamAvailability(init: AvailabilityInit): Promise<Availability> {
  const { node, stream } = init;
  const info = await node.queryStorage("Streams", "Streams", [stream]) as
    | { status: unknown }
    | null
    | undefined;
  if (info === undefined || info === null) return { kind: "missing" };
  const status = typeof info.status === "string"
    ? info.status
    : (info.status as { tag?: string })?.tag;
  if (status === "Ended") return { kind: "ended" };
  if (status !== "Live") {
    return { kind: "offline", reason: `the creator has not gone live on chain (${status})` };
  }
  for (const relay of [init.relay, ...await carriers(init)]) {
    if (await hasSource(init, relay)) return { kind: "published", relay };
  }
  return { kind: "offline", reason: "live on chain, but no relay has its publisher" };
}

/** The endpoints of the relays the chain lists as carrying the stream, the viewer's own left out. */
async function carriers(init: AvailabilityInit): Promise<string[]> {
  let listed: [unknown[], unknown][];
  try {
    listed = await init.node.entriesUnder("Streams", "StreamRelays", [init.stream]);
  } catch {
    // A light client cannot list keys (no range proofs yet): the viewer's relay alone is asked.
    return [];
  }
  const out = new Set<string>();
  for (const [[, relay]] of listed) {
    const info = await init.node.queryStorage("QosRewards", "Relays", [relay]) as
      | { endpoint?: unknown }
      | null
      | undefined;
    const endpoint = endpointText(info?.endpoint);
    if (endpoint && endpoint !== init.relay) out.add(endpoint);
  }
  return [...out];
}

/** A relay's endpoint as the chain stores it (bytes, as hex in JSON), without a trailing slash. */
function endpointText(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^0x([0-9a-f]{2})+$/i.test(value)) return undefined;
  const text = new TextDecoder().decode(fromHex(value)).replace(/\/+$/, "");
  return URL.canParse(text) ? text : undefined;
}

/** Whether `relay` says it has media for the stream; a relay that does not answer has none. */
async function hasSource(init: AvailabilityInit, relay: string): Promise<boolean> {
  try {
    const response = await (init.fetch ?? fetch)(`${relay}/relay/streams`, {
      signal: AbortSignal.timeout(init.timeoutMs ?? RELAY_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return false;
    }
    const carried = await response.json() as CarriedStream[];
    return carried.some((s) => s.stream === init.stream && s.source !== null);
  } catch {
    return false;
  }
}

/** How {@link waitForPublisher} waits. */
export interface WaitOptions {
  /** The stream's id, for what is printed. */
  stream: number;
  /** Gives up after this long offline (0: after the first check). */
  deadlineMs: number;
  /** Ends the wait (Ctrl-C). */
  signal: AbortSignal;
  /** Says how the wait goes. */
  print(line: string): void;
  /** The first pause between checks; it doubles up to `maxPauseMs`. */
  firstPauseMs?: number;
  /** The longest pause between checks. */
  maxPauseMs?: number;
}

/**
 * Checks with `check` until the stream is published, pausing longer each
 * time it is not (1 s, 2 s, 4 s … 15 s) and saying so. Resolves with the
 * relay that has it, or `undefined` when `signal` ends the wait.
 *
 * @throws {Error} when the stream does not exist or has ended, or is still
 * offline at the deadline
 */
export async function waitForPublisher(
  check: () => Promise<Availability>,
  options: WaitOptions,
): Promise<string | undefined> {
  const { stream, deadlineMs, signal, print } = options;
  const maxPause = options.maxPauseMs ?? 15_000;
  const start = Date.now();
  let pause = options.firstPauseMs ?? 1_000;
  let said: string | undefined;
  for (;;) {
    if (signal.aborted) return undefined;
    const now = await check();
    switch (now.kind) {
      case "published":
        if (said !== undefined) print(`Stream #${stream} is being published: watching`);
        return now.relay;
      case "missing":
        throw new Error(`No stream #${stream} on this chain (deno task node stream list)`);
      case "ended":
        throw new Error(`Stream #${stream} has ended`);
    }
    const left = deadlineMs - (Date.now() - start);
    if (left <= 0) {
      throw new Error(
        `Stream #${stream} is offline (${now.reason}); gave up after ${
          Math.round(deadlineMs / 1000)
        } s without locking any money. Try again later, or wait longer with --wait-publisher SECONDS`,
      );
    }
    const wait = Math.min(pause, left);
    if (now.reason !== said) {
      print(
        `Stream #${stream} is offline — waiting for the creator (${now.reason}); no channel is ` +
          `opened until it is published. Giving up in ${Math.ceil(left / 1000)} s; Ctrl-C stops`,
      );
      said = now.reason;
    } else print(`  still offline; checking again in ${Math.ceil(wait / 1000)} s`);
    await pauseFor(wait, signal);
    pause = Math.min(pause * 2, maxPause);
  }
}

function pauseFor(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
