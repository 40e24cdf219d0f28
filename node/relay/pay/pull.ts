/**
 * Relay pulls, paid for by the puller's own paying viewers.
 *
 * The rule: a relay may pull a paid stream from another relay for as long
 * as viewers it serves pay for that stream. It forwards their newest
 * vouchers (each names the puller as payee) as `backing` messages; the
 * upstream checks each as a claim would (an open channel of this stream,
 * signed by its viewer for this chain and the puller, within its deposit,
 * above what it saw of that channel) and refuses a viewer that is the
 * puller itself. What backs the pull is how much those vouchers grew since
 * the upstream first saw each channel. A voucher counts for at most
 * {@link UNCLAIMED_BACKING_SECONDS} of the stream's price above what the
 * puller has claimed of it on chain: vouchers a relay signs to itself from a
 * second account and never claims back a pull for a minute per channel,
 * while an honest relay, which claims every 30 s, is backed in full.
 *
 * A pull owes the stream's price for each second it is served, over every
 * pull of the stream by that relay here (one meter per puller and stream,
 * kept while the relay runs), from its first backing voucher (a pull starts
 * before its viewer's first voucher can arrive; if none came within
 * `graceSeconds` of media starting, the pull is metered from then until one
 * comes, and that wait is forgiven when it does): once its backing falls
 * `graceSeconds` behind it is warned and cut off, as a viewer is. A pull
 * whose backing grew by at least a second's price leaves no debt behind (it
 * lingers a few seconds after its last viewer left, unpaid, before it ends);
 * one that showed no such backing leaves its debt to the next pull, which
 * is then cut at once. Free streams pull free.
 *
 * @module
 */
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { toHexRaw } from "../../../runtime/primitives/hex.ts";
import { getChannel, laneClaimed } from "../../../pallets/access/mod.ts";
import { getStream } from "../../../pallets/streams/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { MeteredSession, ViewerPort } from "../relay.ts";
import { ArrearsGuard } from "./arrears.ts";
import {
  type BackingMessage,
  channelToWire,
  MessageError,
  parseViewerMessage,
  type RefusedMessage,
} from "../../../client/relay/pay_messages.ts";
import { Meter } from "./meter.ts";
import { sessionMessage } from "./session.ts";
import { verifyVoucher } from "./voucher_book.ts";

/** Seconds of the stream's price a backing voucher counts for above what the puller claimed of it. */
export const UNCLAIMED_BACKING_SECONDS = 60n;

/** What backs one relay's pulls of one stream: its meter, and each backing channel's vouchers. */
interface Backing {
  meter: Meter;
  /** Per channel: the amount first seen (growth counts from there) and the newest. */
  channels: Map<bigint, { first: bigint; newest: bigint }>;
  /** Bumped whenever `channels` changes, so what they cover is worked out again. */
  version: number;
}

/** The backings of every relay pulling from this one, by puller and stream. */
export class PullBackings {
  readonly #backings = new Map<string, Backing>();

  /** The backing of `puller`'s pulls of `stream`. */
  of(puller: Uint8Array, stream: bigint): Backing {
    const key = `${toHexRaw(puller)}/${stream}`;
    let backing = this.#backings.get(key);
    if (!backing) {
      backing = {
        meter: new Meter(0n, () => Promise.resolve()),
        channels: new Map(),
        version: 0,
      };
      this.#backings.set(key, backing);
    }
    return backing;
  }
}

/** What a pull session needs of its desk. */
export interface PullServices {
  client: ChainClient;
  backings: PullBackings;
  /** This relay's account, said in the `session` message. */
  relay?: Uint8Array;
  graceSeconds: number;
  now: () => number;
  log: Logger;
  closed(session: PullSession): void;
}

/** A relay pulling a stream from this one, metered against its backing. */
export class PullSession implements MeteredSession {
  readonly #services: PullServices;
  readonly #port: ViewerPort;
  readonly #price: bigint;
  readonly #backing: Backing;
  readonly #guard: ArrearsGuard;
  #startedAt: number | undefined;
  /** Whether the pull is on its meter yet (see the module docs). */
  #metered = false;
  /** Whether a backing voucher was taken in this pull. */
  #backed = false;
  /** What the backing covered when the pull opened: a pull that grew it pays its own way. */
  readonly #coveredAtOpen: bigint;
  /** What the meter said was owed when the pull opened (the debt earlier pulls left). */
  readonly #owedAtOpen: bigint;
  #closed = false;
  /** What the backing covered at a best block and backing version (ticks come 4 a second). */
  #coveredCache: { best: object; version: number; value: bigint } | undefined;

  /** Opens the pull and sends the puller the `session` message. */
  constructor(services: PullServices, port: ViewerPort) {
    this.#services = services;
    this.#port = port;
    this.#guard = new ArrearsGuard(port, services.graceSeconds);
    const { client, relay } = services;
    const state = client.stateAt(client.best.header);
    this.#price = getStream(state, port.stream)?.pricePerSecond ?? 0n;
    this.#backing = services.backings.of(port.viewer, port.stream);
    this.#coveredAtOpen = this.#covered();
    this.#owedAtOpen = this.#backing.meter.owed(services.now());
    port.send(sessionMessage(client, port.stream, {
      price: this.#price,
      graceSeconds: services.graceSeconds,
      relay,
      paid: this.#coveredAtOpen,
      owed: this.#backing.meter.owed(services.now()),
    }));
  }

  /** Media started flowing to the puller. */
  start(): void {
    if (this.#startedAt !== undefined) return;
    this.#startedAt = this.#services.now();
    if (this.#backed) this.#meter(this.#startedAt);
  }

  /** Handles a data-channel message. */
  onMessage(text: string): void {
    try {
      this.#handle(text);
    } catch (e) {
      this.#services.log.error(`Pull session: a message failed: ${(e as Error).message}`);
    }
  }

  /** Warns or cuts off a pull whose backing fell behind (the desk calls it often). */
  tick(): void {
    if (this.#startedAt === undefined || this.#price === 0n || this.#closed) return;
    const graceEnds = this.#startedAt + this.#services.graceSeconds * 1000;
    if (this.#services.now() >= graceEnds) this.#meter(graceEnds);
    const owed = this.#backing.meter.owed(this.#services.now());
    const lagMs = Number((owed - this.#covered()) * 1000n / this.#price);
    this.#guard.check(lagMs, () => `paying viewers back ${this.#covered()} of ${owed} owed`);
  }

  /** Ends the pull: its debt is forgiven if its backing grew by a second's price or more. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const { meter } = this.#backing;
    await meter.leave(this, this.#services.now());
    const covered = this.#covered();
    if (covered - this.#coveredAtOpen >= this.#price && meter.sessions === 0) {
      await meter.forgiveAbove(covered);
    }
    this.#services.closed(this);
  }

  /**
   * The pull's first backing voucher: it is on its meter from now. A pull
   * put on its meter a grace after media started, its backing slow to come
   * (a busy viewer, a slow handshake), owes nothing for the wait.
   */
  #firstBacking(): void {
    if (this.#startedAt === undefined) return;
    const now = this.#services.now();
    const { meter } = this.#backing;
    if (this.#metered && meter.sessions === 1) {
      void meter.leave(this, now);
      void meter.forgiveAbove(this.#owedAtOpen);
      this.#metered = false;
    }
    this.#meter(now);
  }

  /** Puts the pull on its meter from `sinceMs`, once. */
  #meter(sinceMs: number): void {
    if (this.#metered) return;
    this.#metered = true;
    this.#backing.meter.join(this, sinceMs, this.#price);
  }

  /** What the backing vouchers count for: their growth, each capped above what was claimed. */
  #covered(): bigint {
    const { client } = this.#services;
    const { best } = client;
    const { version } = this.#backing;
    const cached = this.#coveredCache;
    if (cached?.best === best && cached.version === version) return cached.value;
    const state = client.stateAt(best.header);
    const slack = this.#price * UNCLAIMED_BACKING_SECONDS;
    let covered = 0n;
    for (const [channel, { first, newest }] of this.#backing.channels) {
      const claimed = laneClaimed(state, channel, this.#port.viewer);
      const counted = newest < claimed + slack ? newest : claimed + slack;
      if (counted > first) covered += counted - first;
    }
    this.#coveredCache = { best, version, value: covered };
    return covered;
  }

  #handle(text: string): void {
    let message;
    try {
      message = parseViewerMessage(text);
    } catch (e) {
      if (!(e instanceof MessageError)) throw e;
      return this.#refuse("message", `malformed message: ${e.message}`);
    }
    if (message.type !== "backing") {
      return this.#refuse("message", "a relay pull sends backing vouchers only");
    }
    const reason = this.#back(message);
    if (reason) this.#refuse("backing", reason);
  }

  /** Takes a backing voucher in; returns why it was refused, if it was. */
  #back(message: BackingMessage): string | undefined {
    const { client } = this.#services;
    const state = client.stateAt(client.best.header);
    const id = BigInt(message.channel);
    const known = this.#backing.channels.get(id);
    // The puller claims as it goes: what it claimed backs the pull all the more.
    const verdict = verifyVoucher(
      { ...message, type: "voucher" },
      {
        state,
        genesisHash: client.genesisHash,
        stream: this.#port.stream,
        payee: this.#port.viewer,
      },
      known?.newest ?? 0n,
      { aboveClaimed: false },
    );
    if (!verdict.ok) return verdict.reason;
    if (equalBytes(getChannel(state, id)!.viewer, this.#port.viewer)) {
      return `channel ${channelToWire(id)} is the relay's own: it cannot back its pull`;
    }
    const amount = verdict.voucher.amount;
    if (known) known.newest = amount;
    else this.#backing.channels.set(id, { first: amount, newest: amount });
    this.#backing.version++;
    if (!this.#backed) this.#firstBacking();
    this.#backed = true;
    return undefined;
  }

  #refuse(what: RefusedMessage["what"], reason: string): void {
    this.#port.send({ type: "refused", what, reason });
  }
}
