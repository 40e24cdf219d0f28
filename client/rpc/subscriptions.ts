/**
 * The subscriptions open on one WebSocket connection.
 *
 * @module
 */
import { ErrorCode, RpcError } from "./error.ts";
import { encodeNotification, type RpcParams } from "./message.ts";
import type { StopSubscription, SubscriptionSpec } from "./methods.ts";

/** Reports an exception that must not reach the client. */
export type ReportError = (error: unknown, method: string) => void;

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** 16 random base-62 characters, like jsonrpsee's ids: unguessable, so ids never leak across clients. */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
}

class Subscription {
  #stop?: StopSubscription;
  #ended = false;
  /** Notifications held back until the subscribe call is answered; `null` once it is. */
  #held: string[] | null = [];

  constructor(
    readonly id: string,
    readonly spec: SubscriptionSpec,
    private readonly send: (text: string) => void,
    private readonly onEnd: (subscription: Subscription) => void,
    private readonly report: ReportError,
  ) {}

  get ended(): boolean {
    return this.#ended;
  }

  emit(result: unknown): void {
    if (this.#ended) return;
    const text = encodeNotification(this.spec.notification, this.id, result);
    if (this.#held) this.#held.push(text);
    else this.send(text);
  }

  /** Sends what was held back; from now on notifications go out at once. */
  activate(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const text of held) this.send(text);
  }

  /** The producer started; if the subscription already ended, stop it now. */
  started(stop: StopSubscription): void {
    this.#stop = stop;
    if (this.#ended) this.#callStop();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.onEnd(this);
    this.#callStop();
  }

  #callStop(): void {
    const stop = this.#stop;
    this.#stop = undefined;
    try {
      stop?.();
    } catch (error) {
      this.report(error, this.spec.unsubscribe);
    }
  }
}

/** The subscriptions of one connection, up to a limit. */
export class Subscriptions {
  readonly #live = new Map<string, Subscription>();
  #closed = false;

  constructor(
    private readonly send: (text: string) => void,
    private readonly limit: number,
    private readonly report: ReportError,
  ) {}

  /** How many subscriptions are open. */
  get size(): number {
    return this.#live.size;
  }

  /**
   * Opens a subscription and starts its producer.
   *
   * @returns its id and the function to call once the id has been sent
   * @throws {RpcError} when the limit is reached, or whatever `start` throws
   */
  async open(spec: SubscriptionSpec, params: RpcParams): Promise<{ id: string; activate(): void }> {
    if (this.#closed) throw new RpcError(ErrorCode.InternalError, "Connection closed");
    if (this.#live.size >= this.limit) {
      throw new RpcError(
        ErrorCode.TooManySubscriptions,
        `Too many subscriptions on the connection: the limit is ${this.limit}`,
      );
    }
    const perConnection = spec.perConnection;
    if (perConnection && this.#count(spec) >= perConnection.max) throw perConnection.error;
    let id = randomId();
    while (this.#live.has(id)) id = randomId();
    const subscription = new Subscription(
      id,
      spec,
      this.send,
      (ended) => this.#live.delete(ended.id),
      this.report,
    );
    this.#live.set(id, subscription);
    let stop: StopSubscription;
    try {
      stop = await spec.start(
        params,
        (result) => subscription.emit(result),
        () => subscription.end(),
        id,
      );
    } catch (error) {
      this.#live.delete(id);
      throw error;
    }
    if (typeof stop !== "function") {
      this.#live.delete(id);
      throw new TypeError(`Cannot start ${spec.subscribe}: start() must return a stop function`);
    }
    subscription.started(stop);
    return { id, activate: () => subscription.activate() };
  }

  /** How many subscriptions opened through `spec` are live. */
  #count(spec: SubscriptionSpec): number {
    let count = 0;
    for (const subscription of this.#live.values()) if (subscription.spec === spec) count++;
    return count;
  }

  /** Ends the subscription `id` if it was opened through `spec`; tells whether it was. */
  cancel(spec: SubscriptionSpec, id: string): boolean {
    const subscription = this.#live.get(id);
    if (subscription?.spec !== spec) return false;
    subscription.end();
    return true;
  }

  /** Ends every subscription (the socket closed); later `open` calls fail. */
  closeAll(): void {
    this.#closed = true;
    for (const subscription of [...this.#live.values()]) subscription.end();
  }
}
