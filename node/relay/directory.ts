/**
 * Keeping the chain's directory true about this relay: it is registered
 * with its endpoint (where other relays pull streams from), and it is listed
 * as carrying exactly the live streams it has a source for.
 *
 * A node registers only once it takes part: when it first carries a
 * stream or needs to pull one (registering reserves the relay deposit).
 * Reconciled at every new best block: what should be on chain is compared
 * with what is, and the difference is sent as transactions signed by the
 * node's key. A transaction still in flight is not sent again until
 * {@link RETRY_BLOCKS} blocks passed without it landing.
 *
 * @module
 */
import { equalBytes, utf8 } from "../../runtime/primitives/bytes.ts";
import { freeBalance } from "../../pallets/balances/mod.ts";
import { relayDeposit, relayInfo } from "../../pallets/qos-rewards/mod.ts";
import { getStream, isCarrying } from "../../pallets/streams/mod.ts";
import type { CallRef } from "../../runtime/executive/runtime.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { LocalSigner } from "../pool/local_signer.ts";

/** Blocks after which a transaction that has not landed is sent again. */
export const RETRY_BLOCKS = 10;

/** Announces this relay and the streams it carries on chain. */
export class RelayDirectory {
  readonly #client: ChainClient;
  readonly #signer: LocalSigner;
  readonly #endpoint: Uint8Array;
  readonly #log: Logger;
  /** Every stream this relay ever carried, and whether it does now. */
  readonly #carried = new Map<bigint, boolean>();
  /** What was sent, by a key naming the change, with the best block number then. */
  readonly #inFlight = new Map<string, number>();
  readonly #unsubscribe: () => void;
  #active = false;

  constructor(init: { client: ChainClient; signer: LocalSigner; endpoint: string; log: Logger }) {
    this.#client = init.client;
    this.#signer = init.signer;
    this.#endpoint = utf8(init.endpoint);
    this.#log = init.log;
    this.#unsubscribe = init.client.onImported(() => this.reconcile());
  }

  /** Says whether this relay has a source for `stream` now. */
  setCarrying(stream: bigint, carrying: boolean): void {
    if (!carrying && !this.#carried.has(stream)) return;
    this.#carried.set(stream, carrying);
    this.takePart();
  }

  /** Registers this relay on chain (if not yet): it is about to relay. */
  takePart(): void {
    this.#active = true;
    this.reconcile();
  }

  /** Sends what the chain is missing; called at every import and change. */
  reconcile(): void {
    if (!this.#active) return;
    const client = this.#client;
    const best = client.best.header;
    const state = client.stateAt(best);
    const me = this.#signer.account;
    const info = relayInfo(state, me);
    if (!info) {
      if (freeBalance(state, me) > relayDeposit(state)) {
        this.#send("register", best.number, {
          pallet: "QosRewards",
          call: "registerRelay",
          args: { endpoint: this.#endpoint },
        });
      }
      return;
    }
    this.#inFlight.delete("register");
    if (!equalBytes(info.endpoint, this.#endpoint)) {
      this.#send("endpoint", best.number, {
        pallet: "QosRewards",
        call: "updateEndpoint",
        args: { endpoint: this.#endpoint },
      });
    }
    for (const [stream, carrying] of this.#carried) {
      const live = getStream(state, stream)?.status.tag === "Live";
      const listed = isCarrying(state, stream, me);
      if (carrying && live && !listed) {
        this.#send(`announce:${stream}`, best.number, {
          pallet: "Streams",
          call: "announceRelay",
          args: { id: stream },
        });
      } else if (!carrying && listed) {
        this.#send(`withdraw:${stream}`, best.number, {
          pallet: "Streams",
          call: "withdrawRelay",
          args: { id: stream },
        });
      } else {
        this.#inFlight.delete(`announce:${stream}`);
        this.#inFlight.delete(`withdraw:${stream}`);
        if (!carrying) this.#carried.delete(stream);
      }
    }
  }

  /** Stops following the chain. */
  stop(): void {
    this.#unsubscribe();
  }

  #send(key: string, bestNumber: number, call: CallRef): void {
    const sentAt = this.#inFlight.get(key);
    if (sentAt !== undefined && bestNumber < sentAt + RETRY_BLOCKS) return;
    this.#inFlight.set(key, bestNumber);
    try {
      this.#signer.submit(call);
      this.#log.info(`📡 Relay directory: sent ${call.pallet}.${call.call}`);
    } catch (e) {
      this.#log.warn(
        `Relay directory: ${call.pallet}.${call.call} refused: ${(e as Error).message}`,
      );
    }
  }
}
