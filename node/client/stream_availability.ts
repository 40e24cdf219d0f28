/**
 * Whether a stream can be watched now, before a viewer locks money in a
 * channel for it: it must exist, be live on chain, and have its publisher
 * sending to some relay. The chain is read through the client's own
 * connection (proven with `--light`); whether the media reaches a relay,
 * here or at a carrier the chain lists ("live" is network-wide), the relay
 * the viewer watches from says (`GET /relay/live/{stream}`, see
 * `node/relay/liveness.ts`). {@link waitForPublisher} waits, checking again
 * with a growing pause, while the stream is offline.
 *
 * @module
 */
import type { StreamLiveness } from "../../client/relay/answers.ts";
import type { NodeConnection } from "./commands.ts";

/** Where a stream stands for a viewer. */
export type Availability =
  /** A relay has its media (from the publisher, or pulled): `relay` is its origin. */
  | { kind: "published"; relay: string }
  /** It may come: not live on chain yet, or live with no publisher anywhere known. */
  | { kind: "offline"; reason: string }
  | { kind: "ended" }
  | { kind: "missing" };

/** What {@link streamAvailability} reads: the chain, and the viewer's relay over HTTP. */
export interface AvailabilityInit {
  /** The chain, as the client reads it. */
  node: Pick<NodeConnection, "queryStorage">;
  /** The stream's id. */
  stream: number;
  /** The origin of the relay the viewer watches from (`http://127.0.0.1:9944`). */
  relay: string;
  /** How the relay is asked (tests give their own). */
  fetch?: typeof fetch;
  /** How long the relay has to answer. */
  timeoutMs?: number;
}

/** How long the relay has to answer: it may ask up to eight carriers, 2 s each, in parallel. */
const RELAY_TIMEOUT_MS = 5_000;

/** Where `stream` stands now: on chain, then as the viewer's relay sees the network. */
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
  let live: StreamLiveness;
  try {
    const response = await (init.fetch ?? fetch)(`${init.relay}/relay/live/${stream}`, {
      signal: AbortSignal.timeout(init.timeoutMs ?? RELAY_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: "offline", reason: `the relay ${init.relay} answers ${response.status}` };
    }
    live = await response.json() as StreamLiveness;
  } catch (e) {
    return { kind: "offline", reason: `the relay ${init.relay} does not answer: ${e}` };
  }
  return live.publishing && live.relay
    ? { kind: "published", relay: live.relay }
    : { kind: "offline", reason: "live on chain, but no relay has its publisher" };
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
