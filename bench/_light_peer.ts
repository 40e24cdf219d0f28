/**
 * A full node for the light client benchmarks, in process: it answers each
 * light request with bytes made before the clock starts (so a figure is the
 * client's alone: decoding and checking), and counts the bytes both ways.
 *
 * @module
 */
import type { LightTransport } from "../client/light/client.ts";
import { decodeLightRequest, type LightRequest } from "../client/light/protocol.ts";

/** A peer answering `answer(request)`; a ban means the benchmark's chain is wrong. */
export class CannedPeer implements LightTransport {
  /** Bytes the client sent and received. */
  bytes = 0;

  /** A peer whose answer to each request is `answer`'s. */
  constructor(public answer: (request: LightRequest) => Uint8Array) {}

  /** The one peer. */
  peers(): string[] {
    return ["canned"];
  }

  /** Answers at once. */
  request(_peer: string, request: Uint8Array): Promise<Uint8Array> {
    const answer = this.answer(decodeLightRequest(request));
    this.bytes += request.length + answer.length;
    return Promise.resolve(answer);
  }

  /** @throws {Error} always: the client refused a proof of the synthetic chain */
  ban(_peer: string, reason: string): void {
    throw new Error(`The light client refused the synthetic chain: ${reason}`);
  }
}
