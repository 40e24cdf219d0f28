/**
 * The `sutantra-pay` data channel of a worker's leg, as the node sees it:
 * text messages in both directions, the node's held until the channel opens.
 * A viewer's leg gets the channel from its viewer; a pull's leg makes it.
 *
 * @module
 */
import type { DataChannel } from "node-datachannel";

/** Messages waiting for the channel to open are kept up to this many. */
const MAX_QUEUED = 64;

/** One leg's pay channel, before and after it opens. */
export class PayChannel {
  #channel?: DataChannel;
  #unsent: string[] = [];
  #onMessage: (text: string) => void = () => {};

  /**
   * Takes `channel` as this leg's pay channel (the first one only): messages
   * flow once it is open. It is held for the leg's life, as node-datachannel
   * closes a channel whose JavaScript object is garbage-collected.
   */
  take(channel: DataChannel): void {
    if (this.#channel) return;
    this.#channel = channel;
    channel.onOpen(() => this.#flush());
    channel.onMessage((message) => {
      if (typeof message === "string") this.#onMessage(message);
    });
    if (channel.isOpen()) this.#flush();
  }

  /** Calls `handler` with each text message that arrives. */
  onMessage(handler: (text: string) => void): void {
    this.#onMessage = handler;
  }

  /** Sends `text` now, or once the channel opens. */
  send(text: string): void {
    if (this.#channel?.isOpen()) this.#channel.sendMessage(text);
    else if (this.#unsent.length < MAX_QUEUED) this.#unsent.push(text);
  }

  #flush(): void {
    for (const text of this.#unsent.splice(0)) this.#channel!.sendMessage(text);
  }
}
