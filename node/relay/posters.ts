/**
 * Streams' posters: a small JPEG frame the creator's page captures from
 * what it publishes and puts here (`PUT /relay/poster/{stream}`), for the
 * directory to show (`GET /relay/poster/{stream}`). The relay does not
 * decode video, so a poster is what the publisher gives.
 *
 * One poster per stream is kept, the newest, in memory, and only while the
 * stream is live on chain: a stream that ends loses its poster, so there
 * are never more posters than live streams. A relay without a stream's
 * poster asks the relays the chain lists as carrying it (`?here`: from
 * what each has itself, so asking never recurses), a few at most, with a
 * short timeout, and keeps their answer a few seconds.
 *
 * @module
 */
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import type { StreamInfo } from "../../pallets/streams/mod.ts";
import type { Authenticated } from "./auth.ts";
import { RelayError } from "./errors.ts";

/** The largest poster accepted, in bytes. */
export const MAX_POSTER_BYTES = 64 * 1024;
/** Carriers asked at most for a poster. */
const MAX_CARRIERS_ASKED = 4;
/** How long a carrier has to answer. */
const TIMEOUT_MS = 2_000;
/** How long a carrier's answer (or that none had one) is kept. */
const CACHE_MS = 5_000;

/** Whether `bytes` begin as a JPEG does (SOI, then a marker). */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** What {@link Posters} reads. */
export interface PostersInit {
  /** The stream's record on chain at the best block (undefined: no such stream). */
  stream(stream: bigint): Pick<StreamInfo, "creator" | "status"> | undefined;
  /** The endpoints of the relays the chain lists as carrying it, this one left out. */
  carriers?(stream: bigint): string[];
  /** How carriers are asked (tests give their own). */
  fetch?: typeof fetch;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/** The newest poster of each live stream, here and at its carriers. */
export class Posters {
  readonly #init: PostersInit;
  readonly #kept = new Map<bigint, Uint8Array<ArrayBuffer>>();
  readonly #asked = new Map<
    bigint,
    { at: number; answer: Promise<Uint8Array<ArrayBuffer> | undefined> }
  >();

  constructor(init: PostersInit) {
    this.#init = init;
  }

  /**
   * Keeps `jpeg` as the poster of `auth.stream`.
   *
   * @throws {RelayError} 403 not a publish token or not the creator, 404 no
   * such stream, 409 not live on chain, 413 too large, 415 not a JPEG
   */
  put(auth: Authenticated, jpeg: Uint8Array<ArrayBuffer>): void {
    if (auth.role !== "publish") throw new RelayError(403, "the token's role is not publish");
    const info = this.#init.stream(auth.stream);
    if (!info) throw new RelayError(404, `no stream ${auth.stream}`);
    if (!equalBytes(info.creator, auth.account)) {
      throw new RelayError(403, "only the stream's creator may set its poster");
    }
    if (info.status.tag !== "Live") throw new RelayError(409, `stream ${auth.stream} is not live`);
    if (jpeg.length > MAX_POSTER_BYTES) {
      throw new RelayError(413, `a poster may be ${MAX_POSTER_BYTES} bytes at most`);
    }
    if (!isJpeg(jpeg)) throw new RelayError(415, "a poster must be a JPEG");
    this.#prune();
    this.#kept.set(auth.stream, jpeg);
  }

  /** The poster this relay has of `stream`, if the stream is live. */
  here(stream: bigint): Uint8Array<ArrayBuffer> | undefined {
    this.#prune();
    return this.#kept.get(stream);
  }

  /** The poster of `stream`: this relay's, else the first its carriers give. */
  of(stream: bigint): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const own = this.here(stream);
    if (own || !this.#live(stream)) return Promise.resolve(own);
    const now = (this.#init.now ?? Date.now)();
    for (const [id, entry] of this.#asked) {
      if (now - entry.at >= CACHE_MS) this.#asked.delete(id);
    }
    const kept = this.#asked.get(stream);
    if (kept) return kept.answer;
    const carriers = (this.#init.carriers?.(stream) ?? []).slice(0, MAX_CARRIERS_ASKED);
    const answer = Promise.all(carriers.map((c) => this.#ask(c, stream)))
      .then((posters) => posters.find((p) => p !== undefined));
    this.#asked.set(stream, { at: now, answer });
    return answer;
  }

  #live(stream: bigint): boolean {
    return this.#init.stream(stream)?.status.tag === "Live";
  }

  /** Drops the posters of streams no longer live. */
  #prune(): void {
    for (const stream of this.#kept.keys()) {
      if (!this.#live(stream)) this.#kept.delete(stream);
    }
  }

  /** `relay`'s own poster of `stream`; none from one that does not answer with a JPEG. */
  async #ask(relay: string, stream: bigint): Promise<Uint8Array<ArrayBuffer> | undefined> {
    try {
      const response = await (this.#init.fetch ?? fetch)(`${relay}/relay/poster/${stream}?here`, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      return bytes.length <= MAX_POSTER_BYTES && isJpeg(bytes) ? bytes : undefined;
    } catch {
      return undefined;
    }
  }
}
