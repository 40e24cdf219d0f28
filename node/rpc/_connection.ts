/**
 * JSON-RPC over one WebSocket: calls, batches and subscriptions.
 *
 * @module
 */
import type { Session } from "./_dispatch.ts";
import { type ReportError, Subscriptions } from "./_subscriptions.ts";

/** What a connection needs from the server. */
export interface ConnectionContext {
  maxMessageBytes: number;
  maxSubscriptions: number;
  report: ReportError;
  dispatch(text: string, session: Session): Promise<string | undefined>;
}

/** RFC 6455 §7.4.1: the endpoint received a message too big to process. */
const MESSAGE_TOO_BIG = 1009;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The UTF-8 size of a text message, encoding it only when its length leaves a doubt. */
function utf8Length(text: string, limit: number): number {
  if (text.length > limit || text.length * 3 <= limit) return text.length;
  return encoder.encode(text).byteLength;
}

/** A WebSocket serving JSON-RPC; ends its subscriptions when it closes. */
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

  #send(text: string): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(text);
  }

  async #receive(data: unknown): Promise<void> {
    const limit = this.#context.maxMessageBytes;
    let text: string;
    if (typeof data === "string") {
      if (utf8Length(data, limit) > limit) return this.close(MESSAGE_TOO_BIG, "Message too big");
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
