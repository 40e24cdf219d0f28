/**
 * JSON-RPC over HTTP: POST requests and CORS preflights.
 *
 * @module
 */
import { ErrorCode } from "../../client/rpc/error.ts";
import { readLimited } from "./_body.ts";
import type { CorsPolicy } from "./_cors.ts";
import { encodeResponse, failure } from "../../client/rpc/message.ts";

/** What the HTTP transport needs from the server. */
export interface HttpContext {
  cors: CorsPolicy;
  maxRequestBytes: number;
  /** Answers a message without a session (so without subscriptions). */
  dispatch(text: string): Promise<string | undefined>;
}

/** The media types jsonrpsee accepts for a JSON-RPC body. */
const JSON_TYPES = new Set(["application/json", "application/json-rpc", "application/jsonrequest"]);

function jsonResponse(body: string, status: number, headers: Record<string, string>): Response {
  return new Response(body, {
    status,
    headers: { ...headers, "content-type": "application/json; charset=utf-8" },
  });
}

/** A refusal before any JSON-RPC: `status` with `message` as plain text. */
export function refused(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/** The 403 for a browser origin the policy refuses. */
export function originRefused(): Response {
  return refused(403, "Origin not allowed");
}

function tooBig(limit: number, headers: Record<string, string>): Response {
  const body = failure(null, ErrorCode.InvalidRequest, "Request is too big", { limit });
  return jsonResponse(encodeResponse(body), 413, headers);
}

/**
 * Answers a POST: 403 for a refused origin, 415 for a body that is not JSON,
 * 413 for one over `maxRequestBytes` (by `Content-Length` and by the bytes
 * actually read), 204 when the message held only notifications, else 200
 * with the JSON-RPC reply (JSON-RPC errors included).
 */
export async function handlePost(request: Request, context: HttpContext): Promise<Response> {
  const origin = request.headers.get("origin");
  if (!context.cors.allows(origin, request.headers.get("host"))) return originRefused();
  const headers = context.cors.headers(origin);
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
  if (!JSON_TYPES.has(type)) {
    await request.body?.cancel();
    return new Response("Content-Type must be application/json\n", {
      status: 415,
      headers: { ...headers, "content-type": "text/plain; charset=utf-8" },
    });
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > context.maxRequestBytes) {
    await request.body?.cancel();
    return tooBig(context.maxRequestBytes, headers);
  }
  // PERF: with a declared length within the limit the body is read in one go;
  // only a body of unknown length is streamed against the limit.
  const bytes = request.headers.has("content-length")
    ? new Uint8Array(await request.arrayBuffer())
    : await readLimited(request.body, context.maxRequestBytes);
  if (bytes !== undefined && bytes.length > context.maxRequestBytes) {
    return tooBig(context.maxRequestBytes, headers);
  }
  if (bytes === undefined) return tooBig(context.maxRequestBytes, headers);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const body = failure(null, ErrorCode.ParseError, "Parse error: the body is not UTF-8");
    return jsonResponse(encodeResponse(body), 200, headers);
  }
  const reply = await context.dispatch(text);
  if (reply === undefined) return new Response(null, { status: 204, headers });
  return jsonResponse(reply, 200, headers);
}

/** Answers a CORS preflight: 204 with the allowed method and headers, or 403. */
export function handlePreflight(request: Request, cors: CorsPolicy): Response {
  const origin = request.headers.get("origin");
  if (!cors.allows(origin, request.headers.get("host"))) return originRefused();
  return new Response(null, {
    status: 204,
    headers: {
      ...cors.headers(origin),
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": request.headers.get("access-control-request-headers") ??
        "content-type",
      "access-control-max-age": "86400",
    },
  });
}
