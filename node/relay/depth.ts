/**
 * Where this relay sits in each carried stream's relay tree: depth 0 when
 * the stream's publisher is here, and one deeper than its carrier when it
 * is pulled from another relay (the carrier says its depth with its answer,
 * see `upstream.ts`). `GET /relay/streams`, the carrier's answer to a relay
 * pulling and the metrics show it.
 *
 * @module
 */
import type { CarriedStream, StreamInTree } from "../../client/relay/answers.ts";
import type { Relay } from "./relay.ts";

export type { StreamInTree };

/** The depth here of each carried stream. */
export class StreamDepths {
  readonly #relay: Pick<Relay, "streams">;
  readonly #upstream?: { depth(stream: bigint): number | undefined };

  /**
   * @param relay the streams carried here, and where each one's media comes from
   * @param upstream the depth of each stream pulled here (the relay's `UpstreamPuller`)
   */
  constructor(
    relay: Pick<Relay, "streams">,
    upstream?: { depth(stream: bigint): number | undefined },
  ) {
    this.#relay = relay;
    this.#upstream = upstream;
  }

  /** `stream`'s depth here; undefined when it has no source here or its carrier did not say. */
  of(stream: bigint): number | undefined {
    const carried = this.#relay.streams().find((s) => BigInt(s.stream) === stream);
    return carried && this.#depth(carried);
  }

  /** The streams carried here, with their viewers, source and depth. */
  streams(): StreamInTree[] {
    return this.#relay.streams().map((s) => ({ ...s, depth: this.#depth(s) ?? null }));
  }

  #depth(carried: CarriedStream): number | undefined {
    if (carried.source === "publisher") return 0;
    if (carried.source === "upstream") return this.#upstream?.depth(BigInt(carried.stream));
    return undefined;
  }
}
