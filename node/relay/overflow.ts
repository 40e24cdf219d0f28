/**
 * Where a full relay sends a new viewer (relay trees): another relay found
 * on chain with room for one more.
 *
 * Candidates are the relays registered with an http(s) endpoint
 * (`QosRewards.Relays`), this node excluded: those that carry the stream
 * (`Streams.StreamRelays`) first, as they serve it without a new pull;
 * then the others, which pull it from a carrier (this relay, or one that
 * took viewers from it) when the viewer arrives. At most
 * {@link MAX_CANDIDATES} are asked, carriers first and the others in random
 * order, so that many full relays do not all pile onto the same few.
 *
 * Each is asked `GET /relay/load` (`{viewers, maxViewers}`) with a short
 * timeout; answers, and silence, are kept {@link LOAD_CACHE_MS}, so a
 * crowd arriving at once costs each candidate one request. The chosen relay
 * is the least loaded: the one with the most room (no bound counts as the
 * most), a carrier on a tie, then the one with fewer viewers. Each viewer
 * sent on counts as one more on the chosen relay's kept load, so a crowd
 * spreads over the candidates instead of following one stale answer.
 *
 * A candidate's answer is only a hint: one that lies about its room gets
 * viewers it must then serve (and be paid for by, on its own voucher
 * lane), and the viewer's client checks nothing but that relay's answer.
 *
 * @module
 */
import { concatBytes, equalBytes } from "../../runtime/primitives/bytes.ts";
import { registeredRelays, relayInfo } from "../../pallets/qos-rewards/mod.ts";
import { relaysOf } from "../../pallets/streams/mod.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { Overflow } from "./relay.ts";
import type { RelayLoad } from "../../client/relay/answers.ts";

/** Relays asked for their load at most, per viewer sent on. */
export const MAX_CANDIDATES = 16;
/** How long a candidate has to say its load. */
export const LOAD_TIMEOUT_MS = 1_000;
/** How long a candidate's answer (or its silence) is kept. */
export const LOAD_CACHE_MS = 3_000;
/** The longest load answer read, in bytes. */
const MAX_LOAD_BYTES = 1_024;

export type { RelayLoad };

/** Options of {@link RelayOverflow}. */
export interface RelayOverflowInit {
  client: ChainClient;
  /** This node's relay account, never a candidate (undefined for a node without a key). */
  self?: Uint8Array;
  log: Logger;
}

interface Candidate {
  endpoint: string;
  carrier: boolean;
}

/** Sends viewers a full relay cannot take to the least loaded relay found on chain. */
export class RelayOverflow implements Overflow {
  readonly #init: RelayOverflowInit;
  /** Each endpoint's load (undefined: it did not answer), and when it was asked. */
  readonly #loads = new Map<string, { at: number; load: Promise<RelayLoad | undefined> }>();
  /** The candidates of one stream at one best block, before shuffling (registry reads are many). */
  #listed?: { key: string; carriers: Candidate[]; others: Candidate[] };

  constructor(init: RelayOverflowInit) {
    this.#init = init;
  }

  /** The WHEP URL of the relay with the most room for a viewer of `stream`, if one has room. */
  async elsewhere(stream: bigint): Promise<string | undefined> {
    const candidates = this.#candidates(stream);
    const loads = await Promise.all(candidates.map((c) => this.#load(c.endpoint)));
    let best: { candidate: Candidate; load: RelayLoad; room: number } | undefined;
    candidates.forEach((candidate, i) => {
      const load = loads[i];
      if (!load) return;
      const room = load.maxViewers === null ? Infinity : load.maxViewers - load.viewers;
      if (room <= 0) return;
      if (!best || better({ candidate, load, room }, best)) best = { candidate, load, room };
    });
    if (!best) {
      this.#init.log.debug(
        `Stream ${stream}: no relay with room among ${candidates.length} on chain`,
      );
      return undefined;
    }
    best.load.viewers++;
    return `${best.candidate.endpoint}/whep/${stream}`;
  }

  /** The relays on chain that could take a viewer of `stream`: carriers first. */
  #candidates(stream: bigint): Candidate[] {
    const { carriers, others } = this.#listedAt(stream);
    return [...shuffled([...carriers]), ...shuffled([...others])].slice(0, MAX_CANDIDATES);
  }

  /** The carriers of `stream` and the other relays, as the best block lists them. */
  #listedAt(stream: bigint): { carriers: Candidate[]; others: Candidate[] } {
    const { client, self } = this.#init;
    const key = `${client.best.hashHex}:${stream}`;
    if (this.#listed?.key === key) return this.#listed;
    const state = client.stateAt(client.best.header);
    const seen = new Set<string>();
    const endpointOf = (relay: Uint8Array, raw: Uint8Array | undefined): string | undefined => {
      if (self && equalBytes(relay, self)) return undefined;
      const endpoint = httpEndpoint(raw);
      if (!endpoint || seen.has(endpoint)) return undefined;
      seen.add(endpoint);
      return endpoint;
    };
    const carriers: Candidate[] = [];
    for (const { relay } of relaysOf(state, stream)) {
      const endpoint = endpointOf(relay, relayInfo(state, relay)?.endpoint);
      if (endpoint) carriers.push({ endpoint, carrier: true });
    }
    const others: Candidate[] = [];
    for (const [relay, info] of registeredRelays(state)) {
      const endpoint = endpointOf(relay, info.endpoint);
      if (endpoint) others.push({ endpoint, carrier: false });
    }
    this.#listed = { key, carriers, others };
    return this.#listed;
  }

  /** `endpoint`'s load, asked at most once per {@link LOAD_CACHE_MS}. */
  #load(endpoint: string): Promise<RelayLoad | undefined> {
    const now = Date.now();
    const kept = this.#loads.get(endpoint);
    if (kept && now - kept.at < LOAD_CACHE_MS) return kept.load;
    for (const [key, { at }] of this.#loads) {
      if (now - at >= LOAD_CACHE_MS) this.#loads.delete(key);
    }
    const load = askLoad(endpoint).catch((e) => {
      this.#init.log.debug(`Relay ${endpoint} did not say its load: ${(e as Error).message}`);
      return undefined;
    });
    this.#loads.set(endpoint, { at: now, load });
    return load;
  }
}

/** Whether `a` is a better place for a viewer than `b`. */
function better(
  a: { candidate: Candidate; load: RelayLoad; room: number },
  b: { candidate: Candidate; load: RelayLoad; room: number },
): boolean {
  if (a.room !== b.room) return a.room > b.room;
  if (a.candidate.carrier !== b.candidate.carrier) return a.candidate.carrier;
  return a.load.viewers < b.load.viewers;
}

/** A relay endpoint from chain as an http(s) origin and path, without a trailing slash. */
function httpEndpoint(raw: Uint8Array | undefined): string | undefined {
  if (!raw?.length) return undefined;
  const text = new TextDecoder().decode(raw).replace(/\/+$/, "");
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks `endpoint` its load.
 *
 * @throws {Error} when it does not answer in time, or not with a load
 */
async function askLoad(endpoint: string): Promise<RelayLoad> {
  const response = await fetch(`${endpoint}/relay/load`, {
    signal: AbortSignal.timeout(LOAD_TIMEOUT_MS),
    redirect: "error",
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`status ${response.status}`);
  }
  const load = JSON.parse(await boundedText(response, MAX_LOAD_BYTES));
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (!count(load?.viewers) || !(load.maxViewers === null || count(load.maxViewers))) {
    throw new Error("not a load");
  }
  return { viewers: load.viewers, maxViewers: load.maxViewers };
}

/**
 * The body of `response` as text, at most `limit` bytes.
 *
 * @throws {Error} when it is longer
 */
async function boundedText(response: Response, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  // Leaving the loop by a throw cancels the rest of the body.
  for await (const chunk of response.body ?? []) {
    length += chunk.length;
    if (length > limit) throw new Error(`an answer over ${limit} bytes`);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(concatBytes(...chunks));
}

/** `items` in random order (Fisher–Yates). */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
