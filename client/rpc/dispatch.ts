/**
 * Answers one JSON-RPC message (a request or a batch) against a registry,
 * whatever carries it (HTTP, a WebSocket, or an in-process provider).
 *
 * @module
 */
import { ErrorCode, RpcError, UNSAFE_METHOD_MESSAGE } from "./error.ts";
import {
  encodeResponse,
  encodeWithin,
  failure,
  failureFrom,
  fitsIn,
  internalError,
  isResponse,
  parseRequest,
  responseTooBig,
  type RpcParams,
  type RpcRequest,
  type RpcResponse,
  success,
} from "./message.ts";
import type { Registry } from "./registry.ts";
import type { ReportError, Subscriptions } from "./subscriptions.ts";

/** The calls a sender may still make (a server's rate limit). */
export interface CallBudget {
  /** The calls allowed a minute. */
  readonly perMinute: number;
  /** Takes one call from the budget; false when none is left. */
  take(): boolean;
}

/** Where a message came from: over HTTP there is no session, so no subscriptions. */
export interface Session {
  subscriptions: Subscriptions;
  /** Filled by the dispatch: run each once the reply has been sent (starts notifications). */
  afterReply: Array<() => void>;
}

/** What a dispatch needs besides the message. */
export interface DispatchContext {
  registry: Registry;
  maxBatch: number;
  /** The largest reply, in bytes; a bigger one is answered `-32008` instead. */
  maxResponseBytes: number;
  /** Answer unsafe methods `-32601` (`--rpc-methods safe`). */
  denyUnsafe: boolean;
  /** The calls the sender may still make, when the server has a rate limit. */
  budget?: CallBudget;
  report: ReportError;
  onCall?: (method: string) => void;
  session?: Session;
}

function subscriptionIdOf(params: RpcParams): string {
  const id = Array.isArray(params) ? params[0] : params.subscription;
  if (typeof id !== "string") {
    throw new RpcError(
      ErrorCode.InvalidParams,
      "Invalid params: expected a subscription id string",
    );
  }
  return id;
}

function notOverHttp(): RpcError {
  return new RpcError(
    ErrorCode.MethodNotFound,
    "Subscriptions are not available on this transport: use a WebSocket",
  );
}

async function run(request: RpcRequest, context: DispatchContext): Promise<unknown> {
  const entry = context.registry.get(request.method);
  if (!entry) throw new RpcError(ErrorCode.MethodNotFound, "Method not found");
  if (entry.kind === "call" && entry.unsafe && context.denyUnsafe) {
    throw new RpcError(ErrorCode.MethodNotFound, UNSAFE_METHOD_MESSAGE);
  }
  context.onCall?.(request.method);
  if (entry.kind === "call") return await entry.handler(request.params);
  const session = context.session;
  if (!session) throw notOverHttp();
  if (entry.kind === "unsubscribe") {
    const wasOpen = session.subscriptions.cancel(entry.spec, subscriptionIdOf(request.params));
    return entry.spec.unsubscribeAnswersNull ? null : wasOpen;
  }
  const { id, activate } = await session.subscriptions.open(entry.spec, request.params);
  session.afterReply.push(activate);
  return id;
}

async function answer(value: unknown, context: DispatchContext): Promise<RpcResponse | undefined> {
  const request = parseRequest(value);
  if (isResponse(request)) return request;
  const isNotification = !("id" in request);
  const id = request.id ?? null;
  // A notification to a subscribe method would open a subscription whose id
  // nobody learns, so it is ignored.
  if (isNotification && context.registry.get(request.method)?.kind === "subscribe") return;
  const budget = context.budget;
  if (budget && !budget.take()) {
    if (isNotification) return;
    const limit = budget.perMinute;
    const message = `Too many requests: the limit is ${limit} calls a minute`;
    return failure(id, ErrorCode.TooManyRequests, message, { limit });
  }
  try {
    const result = await run(request, context);
    return isNotification ? undefined : success(id, result);
  } catch (error) {
    if (error instanceof RpcError) return isNotification ? undefined : failureFrom(id, error);
    context.report(error, request.method);
    return isNotification ? undefined : internalError(id);
  }
}

/**
 * Answers a message. Batch entries run one after another, in order, so their
 * side effects (e.g. two transactions of one account) happen in the order
 * sent. An empty batch, or one over `maxBatch` entries, is refused as a whole
 * with a single `-32600` error object (not an array). A reply over
 * `maxResponseBytes` is replaced by a `-32008` error: for a batch, each
 * entry's reply, or the whole batch (one error object, `id` null) when only
 * together they are too big.
 *
 * @returns the encoded reply, or `undefined` when nothing is to be sent (only notifications)
 */
export async function dispatch(
  text: string,
  context: DispatchContext,
): Promise<string | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return encodeResponse(failure(null, ErrorCode.ParseError, "Parse error"));
  }
  if (!Array.isArray(value)) {
    const response = await answer(value, context);
    return response && encodeWithin(response, context.maxResponseBytes);
  }
  if (value.length === 0) {
    return encodeResponse(failure(null, ErrorCode.InvalidRequest, "Invalid request: empty batch"));
  }
  if (value.length > context.maxBatch) {
    return encodeResponse(failure(
      null,
      ErrorCode.InvalidRequest,
      `Invalid request: a batch of ${value.length} requests is over the limit of ${context.maxBatch}`,
      { limit: context.maxBatch },
    ));
  }
  const parts: string[] = [];
  for (const item of value) {
    const response = await answer(item, context);
    if (response) parts.push(encodeWithin(response, context.maxResponseBytes));
  }
  if (parts.length === 0) return undefined;
  const reply = `[${parts.join(",")}]`;
  return fitsIn(reply, context.maxResponseBytes)
    ? reply
    : encodeResponse(responseTooBig(null, context.maxResponseBytes));
}
