/**
 * JSON-RPC over one WebSocket: calls, batches and subscriptions.
 *
 * @module
 */
import type { Session } from "../../client/rpc/dispatch.ts";
import { fitsIn } from "../../client/rpc/message.ts";
import { type ReportError, Subscriptions } from "../../client/rpc/subscriptions.ts";

/** What a connection needs from the server. */
export interface ConnectionContext {
  maxMessageBytes: number;
  maxSubscriptions: number;
  /**
   * The most bytes the socket may hold unsent before the next message: a
   * client that reads slower than the node writes is dropped past it.
   */
  maxUnsentBytes: number;
  report: ReportError;
  dispatch(text: string, session: Session): Promise<string | undefined>;
}

/** RFC 6455 §7.4.1: the endpoint received a message too big to process. */
const MESSAGE_TOO_BIG = 1009;
/** RFC 6455 §7.4.1: the endpoint received a message that violates its policy. */
const POLICY_VIOLATION = 1008;

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A WebSocket serving JSON-RPC; ends its subscriptions when it closes, or as
 * soon as its client falls `maxUnsentBytes` behind.
 */
export class Connection {
  readonly #socket: WebSocket;
  readonly #context: ConnectionContext;
  readonly #subscriptions: Subscriptions;
  /** Resolves once the socket has closed and every subscription has been stopped. */
  readonly closed: Promise<void>;

  constructor(socket: WebSocket, context: ConnectionContext) {
    this.#socket = socket;
    this.#context = context;
    this.#subscriptions = new Subscriptions(
      (text) => this.#send(text),
      context.maxSubscriptions,
      context.report,
    );
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (event) => {
      this.#receive(event.data).catch((error) => context.report(error, "websocket"));
    });
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", () => {
        this.#subscriptions.closeAll();
        resolve();
      });
    });
  }

  /** Closes the socket (1001 "going away" by default). */
  close(code = 1001, reason = "Server shutting down"): void {
    if (this.#socket.readyState > WebSocket.OPEN) return;
    try {
      this.#socket.close(code, reason);
    } catch (error) {
      // Still connecting (the upgrade response is not out yet): nothing to close gracefully.
      this.#context.report(error, "websocket");
    }
  }

  /**
   * Sends, unless the client has not read what was sent before: then it is
   * dropped rather than buffered for without end. Its subscriptions stop at
   * once; the socket itself closes when the client reads again or goes away,
   * holding until then no more than it held when dropped.
   */
  #send(text: string): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    const limit = this.#context.maxUnsentBytes;
    if (this.#socket.bufferedAmount <= limit) return this.#socket.send(text);
    this.#subscriptions.closeAll();
    this.close(POLICY_VIOLATION, `Too slow: the client left over ${limit} bytes unread`);
  }

  async #receive(data: unknown): Promise<void> {
    const limit = this.#context.maxMessageBytes;
    let text: string;
    if (typeof data === "string") {
      if (!fitsIn(data, limit)) return this.close(MESSAGE_TOO_BIG, "Message too big");
      text = data;
    } else if (data instanceof ArrayBuffer) {
      if (data.byteLength > limit) return this.close(MESSAGE_TOO_BIG, "Message too big");
      try {
        text = decoder.decode(data);
      } catch {
        text = ""; // not UTF-8: answered as a parse error
      }
    } else {
      return;
    }
    const session: Session = { subscriptions: this.#subscriptions, afterReply: [] };
    const reply = await this.#context.dispatch(text, session);
    if (reply !== undefined) this.#send(reply);
    for (const activate of session.afterReply) activate();
  }
}
