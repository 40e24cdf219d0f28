/**
 * Claims: turning the vouchers the relay holds into money on chain.
 *
 * A voucher is claimed with `Access.claim` signed by the node's key when it
 * is above what the chain has claimed of its channel, and only when the
 * claim would pass at the best block (the relay is the creator, carries
 * the stream or carried it when it ended, the settle window is open): a
 * claim that fails still pays its fee. A claim submitted is not submitted
 * again while it may still land; one not on chain {@link RETRY_BLOCKS}
 * blocks after it was submitted is presumed lost and tried again. What the chain has claimed is written to
 * the book, and a channel closed on chain leaves it.
 *
 * @module
 */
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { equalBytes } from "../../../runtime/primitives/bytes.ts";
import { type Channel, getChannel, laneClaimed, settleEnd } from "../../../pallets/access/mod.ts";
import { getStream, isRelayPayee } from "../../../pallets/streams/mod.ts";
import type { ChainClient } from "../../chain/mod.ts";
import type { Logger } from "../../log.ts";
import type { LocalSigner } from "../../pool/local_signer.ts";
import type { StoredVoucher, VoucherBook } from "./voucher_book.ts";

/** Blocks after which a submitted claim that did not land is tried again. */
export const RETRY_BLOCKS = 3;

/** Claims the vouchers of a book with the node's key. */
export class Claimer {
  readonly #client: ChainClient;
  readonly #book: VoucherBook;
  readonly #signer: LocalSigner;
  readonly #log: Logger;
  /** Claims in flight: channel → the amount submitted and the best block number then. */
  readonly #pending = new Map<bigint, { amount: bigint; at: number }>();

  constructor(init: { client: ChainClient; book: VoucherBook; signer: LocalSigner; log: Logger }) {
    this.#client = init.client;
    this.#book = init.book;
    this.#signer = init.signer;
    this.#log = init.log;
  }

  /**
   * Claims every voucher (or those of `channels`) above what the chain has
   * claimed; records what the chain has claimed. Returns the claims submitted.
   */
  async claim(channels?: bigint[]): Promise<number> {
    const best = this.#client.best.header;
    const state = this.#client.stateAt(best);
    const held: [bigint, StoredVoucher | undefined][] = channels
      ? channels.map((c) => [c, this.#book.newest(c)])
      : [...this.#book.all()];
    const writes: Promise<void>[] = [];
    let submitted = 0;
    for (const [channel, voucher] of held) {
      if (!voucher || voucher.claimed >= voucher.amount) continue;
      const onChain = getChannel(state, channel);
      if (!onChain) {
        this.#pending.delete(channel);
        writes.push(this.#book.forget(channel));
        continue;
      }
      const lane = laneClaimed(state, channel, this.#signer.account);
      if (lane >= voucher.amount) {
        this.#pending.delete(channel);
        writes.push(this.#book.markClaimed(channel, lane));
        continue;
      }
      const pending = this.#pending.get(channel);
      if (pending && pending.amount >= voucher.amount && best.number - pending.at < RETRY_BLOCKS) {
        continue;
      }
      const why = this.#cannotClaim(state, voucher, onChain, best.number + 1);
      if (why) {
        this.#log.debug(`Channel ${channel}: voucher of ${voucher.amount} not claimed: ${why}`);
        continue;
      }
      try {
        this.#signer.submit({
          pallet: "Access",
          call: "claim",
          args: { channel, cumulativeAmount: voucher.amount, signature: voucher.signature },
        });
        this.#pending.set(channel, { amount: voucher.amount, at: best.number });
        submitted++;
        this.#log.info(
          `💸 Claiming ${voucher.amount - lane} planck of channel ${channel} ` +
            `(stream ${voucher.stream}, voucher of ${voucher.amount})`,
        );
      } catch (e) {
        this.#log.warn(`Channel ${channel}: the pool refused the claim: ${(e as Error).message}`);
      }
    }
    await Promise.all(writes);
    return submitted;
  }

  /** Why a claim of `voucher` would fail in block `number`, if it would. */
  #cannotClaim(
    state: StateReader,
    voucher: StoredVoucher,
    channel: Channel,
    number: number,
  ): string | undefined {
    const info = getStream(state, voucher.stream);
    const me = this.#signer.account;
    if (!info) return "the stream is gone";
    if (!equalBytes(info.creator, me) && !isRelayPayee(state, voucher.stream, me)) {
      return "this relay neither created nor carries (nor carried at its end) the stream";
    }
    if (number > settleEnd(state, channel, info)) return "the settle window is over";
    return undefined;
  }
}
