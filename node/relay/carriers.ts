/**
 * The relays the chain lists as carrying a stream (`Streams.StreamRelays`),
 * by the endpoints they registered (`QosRewards.Relays`): where a relay
 * pulls a stream from, and whom it asks whether the stream's publisher is
 * sending.
 *
 * @module
 */
import { equalBytes } from "../../runtime/primitives/bytes.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { relayInfo } from "../../pallets/qos-rewards/mod.ts";
import { relaysOf } from "../../pallets/streams/mod.ts";

/**
 * The endpoints (origins, no trailing slash) of the relays carrying
 * `stream` in `state`, `self` left out; relays that registered no endpoint
 * are skipped.
 */
export function carrierEndpoints(
  state: StateReader,
  stream: bigint,
  self?: Uint8Array,
): string[] {
  const out: string[] = [];
  for (const { relay } of relaysOf(state, stream)) {
    if (self && equalBytes(relay, self)) continue;
    const endpoint = relayInfo(state, relay)?.endpoint;
    if (endpoint?.length) out.push(new TextDecoder().decode(endpoint).replace(/\/+$/, ""));
  }
  return out;
}
