/**
 * The client side of WHIP and WHEP (RFC 9725 and its WHEP twin): POST an SDP
 * offer, get the answer and the session's URL; DELETE that URL to end.
 * Used by `stream watch`, by a relay pulling a stream from another node, and
 * by tests and benchmarks. Works with any `fetch`.
 *
 * @module
 */

/** A session the server created. */
export interface SdpExchange {
  /** The server's SDP answer. */
  answer: string;
  /** The absolute URL of the session (the `Location` header, resolved). */
  location: string;
  /** ICE servers the server offered in `Link: <…>; rel="ice-server"` headers. */
  iceServers: string[];
}

/** A WHIP/WHEP request the server refused, with its status and body. */
export class SdpExchangeError extends Error {
  override name = "SdpExchangeError";
  constructor(readonly status: number, readonly body: string, readonly retryAfter?: number) {
    super(`${status}: ${body}`);
  }
}

/**
 * POSTs `offer` to a WHIP or WHEP endpoint with a bearer `token`.
 *
 * @throws {SdpExchangeError} when the server does not answer `201 Created`
 */
export async function exchangeSdp(
  endpoint: string,
  offer: string,
  token: string,
  signal?: AbortSignal,
): Promise<SdpExchange> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${token}` },
    body: offer,
    signal,
  });
  const body = await response.text();
  if (response.status !== 201) {
    const retry = Number(response.headers.get("retry-after"));
    throw new SdpExchangeError(response.status, body, Number.isFinite(retry) ? retry : undefined);
  }
  const location = response.headers.get("location");
  if (!location) throw new SdpExchangeError(response.status, "201 without a Location header");
  return {
    answer: body,
    location: new URL(location, endpoint).href,
    iceServers: parseIceLinks(response.headers.get("link")),
  };
}

/** Ends a session by DELETE on its URL; a session already gone counts as ended. */
export async function endSession(location: string, token: string): Promise<void> {
  const response = await fetch(location, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  if (!response.ok && response.status !== 404) {
    throw new SdpExchangeError(response.status, "DELETE refused");
  }
}

/** The URLs of `rel="ice-server"` links in a `Link` header. */
export function parseIceLinks(header: string | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/<([^>]+)>\s*;[^,]*rel="ice-server"/g)].map((m) => m[1]);
}
