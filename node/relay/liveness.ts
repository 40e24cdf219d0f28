/**
 * Whether a stream's publisher is sending, network-wide: a stream is live
 * when it is live on chain and its media reaches this relay or a relay the
 * chain lists as carrying it. A stream that went live on chain but whose
 * publisher never came, or left, is not: its viewers are told to wait,
 * and are not charged.
 *
 * This relay answers from what it carries. Carriers are asked by
 * `GET /relay/streams`, which each answers from what it carries alone, so
 * asking never recurses; a few at most, in parallel, each with a short
 * timeout. Their answer is kept a couple of seconds, so that many viewers
 * polling cost each carrier one request in that time.
 *
 * @module
 */
import type { CarriedStream, StreamLiveness } from "../../client/relay/answers.ts";
import type { Relay } from "./relay.ts";

/** Carriers asked at most per answer. */
export const MAX_CARRIERS_ASKED = 8;
/** How long a carrier has to answer. */
const TIMEOUT_MS = 2_000;
/** How long the carriers' answer is kept. */
const CACHE_MS = 2_000;

/** What {@link PublisherLiveness} reads. */
export interface LivenessInit {
  /** The streams carried here. */
  relay: Pick<Relay, "streams">;
  /** The stream's status on chain (`null`: no such stream). */
  status(stream: bigint): StreamLiveness["status"];
  /** The endpoints of the relays the chain lists as carrying the stream, this one left out. */
  carriers(stream: bigint): string[];
  /** This relay's origin, named when the media is here. */
  self: string;
  /** How carriers are asked (tests give their own). */
  fetch?: typeof fetch;
  timeoutMs?: number;
  cacheMs?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/** Answers whether streams are being published, here or at their carriers. */
export class PublisherLiveness {
  readonly #init: LivenessInit;
  /** The carriers' answer per stream: the origin that has the media, or null. */
  readonly #asked = new Map<bigint, { at: number; answer: Promise<string | null> }>();

  constructor(init: LivenessInit) {
    this.#init = init;
  }

  /** Where `stream` stands now. */
  async of(stream: bigint): Promise<StreamLiveness> {
    const status = this.#init.status(stream);
    const here = this.#init.relay.streams().find((s) => BigInt(s.stream) === stream);
    const answer = (relay: string | null): StreamLiveness => ({
      stream: Number(stream),
      status,
      publishing: relay !== null,
      relay,
      viewersHere: here?.viewers ?? 0,
    });
    if (status !== "Live") return answer(null);
    if (here?.source) return answer(this.#init.self);
    return answer(await this.#atCarriers(stream));
  }

  /** The first carrier (in the chain's order) that says it has the media; null if none. */
  #atCarriers(stream: bigint): Promise<string | null> {
    const now = (this.#init.now ?? Date.now)();
    const cacheMs = this.#init.cacheMs ?? CACHE_MS;
    const kept = this.#asked.get(stream);
    if (kept && now - kept.at < cacheMs) return kept.answer;
    for (const [id, entry] of this.#asked) {
      if (now - entry.at >= cacheMs) this.#asked.delete(id);
    }
    const carriers = this.#init.carriers(stream).slice(0, MAX_CARRIERS_ASKED);
    const answer = Promise.all(carriers.map((c) => this.#hasMedia(c, stream)))
      .then((has) => carriers.find((_, i) => has[i]) ?? null);
    this.#asked.set(stream, { at: now, answer });
    return answer;
  }

  /** Whether `relay` says it has media for `stream`; one that does not answer has none. */
  async #hasMedia(relay: string, stream: bigint): Promise<boolean> {
    try {
      const response = await (this.#init.fetch ?? fetch)(`${relay}/relay/streams`, {
        signal: AbortSignal.timeout(this.#init.timeoutMs ?? TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return false;
      }
      const carried = await response.json() as CarriedStream[];
      return Array.isArray(carried) &&
        carried.some((s) =>
          s?.stream === Number(stream) && (s.source === "publisher" || s.source === "upstream")
        );
    } catch {
      return false;
    }
  }
}
