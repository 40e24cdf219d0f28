/**
 * A creator's streams as the studio shows them: each with its status, the
 * viewers this node serves it to, and what its open payment channels have
 * settled to the creator on chain.
 *
 * @module
 */
import type { App } from "../app.ts";
import type { StreamInfo } from "./streams.ts";

/** One of the creator's streams, with its audience and earnings. */
export interface MyStream {
  id: number;
  info: StreamInfo;
  /** Viewers on this node now (`GET /relay/streams`); `undefined` when the relay does not say. */
  viewers: number | undefined;
  /** Payment channels to it still open. */
  channels: number;
  /** The creator's share of what its open channels have claimed on chain, in planck. */
  earned: bigint;
}

/** A payment channel as `Access.Channels` stores it (JSON). */
interface ChannelJson {
  stream: number;
  claimed: number | string;
}

const PERBILL = 1_000_000_000n;

/** `creator`'s streams, newest first. */
export async function myStreams(app: App, creator: string): Promise<MyStream[]> {
  const { chain } = app;
  const [streams, channels, share, viewers] = await Promise.all([
    chain.entries<StreamInfo>("Streams", "Streams"),
    chain.entries<ChannelJson>("Access", "Channels"),
    chain.query<number>("Access", "CreatorSharePerbill"),
    viewersHere(),
  ]);
  return streams
    .filter(([, info]) => info.creator === creator)
    .map(([[key], info]) => {
      const id = Number(key);
      const paying = channels.filter(([, c]) => Number(c.stream) === id);
      const claimed = paying.reduce((sum, [, c]) => sum + BigInt(c.claimed), 0n);
      return {
        id,
        info,
        viewers: viewers?.get(id) ?? (viewers ? 0 : undefined),
        channels: paying.length,
        earned: claimed * BigInt(share) / PERBILL,
      };
    })
    .sort((a, b) => b.id - a.id);
}

/** The viewers of each stream this node carries (`GET /relay/streams`), or `undefined` when it does not say. */
export async function viewersHere(): Promise<Map<number, number> | undefined> {
  try {
    const response = await fetch(`${location.origin}/relay/streams`);
    if (!response.ok) return undefined;
    const carried: { stream: number; viewers: number }[] = await response.json();
    return new Map(carried.map((s) => [s.stream, s.viewers]));
  } catch {
    return undefined;
  }
}
