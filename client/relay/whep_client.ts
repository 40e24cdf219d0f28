/**
 * The client side of WHIP and WHEP (RFC 9725 and its WHEP twin): POST an SDP
 * offer, get the answer and the session's URL; DELETE that URL to end.
 * Used by `stream watch`, the web app, a relay pulling a stream from another
 * node, and by tests and benchmarks. Works with any `fetch`.
 *
 * A relay that serves all the viewers it can answers a viewer's offer with
 * `307 Temporary Redirect` to another relay's WHEP endpoint (relay trees).
 * Tokens name the relay they are for, so the client follows with a token
 * for the relay it was sent to: `fetch` follows the redirect itself and,
 * the target being another origin, drops the `Authorization` header
 * (browsers and Deno alike), so the target answers `401`, and the offer is
 * made again there with a token made for it. A browser cannot read a
 * redirect's `Location` (`redirect: "manual"` gives an opaque response), so
 * this one way serves both.
 *
 * @module
 */

/**
 * A bearer token: one, for one relay, or a function that makes one for the
 * relay at `url` (its origin is the token's audience), so that a redirect
 * to another relay can be followed.
 */
export type TokenFor = string | ((url: string) => string);

/** Redirects to other relays followed at most before giving up. */
export const MAX_REDIRECTS = 3;

/**
 * A relay out of media capacity for now answers `503` with `Retry-After`:
 * the offer is made again after that long (at most {@link MAX_BUSY_WAIT_SECONDS})
 * this many times before giving up.
 */
export const MAX_BUSY_RETRIES = 3;
/** The longest `Retry-After` of a `503` that is waited out. */
export const MAX_BUSY_WAIT_SECONDS = 10;

/**
 * The response header in which a carrier tells a relay pulling a stream the
 * stream's depth in its relay tree there (0: its publisher is there).
 */
export const RELAY_DEPTH_HEADER = "sutantra-relay-depth";

/** The deepest relay tree a depth header may describe; a larger value is ignored. */
export const MAX_RELAY_DEPTH = 255;

/** A session the server created. */
export interface SdpExchange {
  /** The server's SDP answer. */
  answer: string;
  /** The absolute URL of the session (the `Location` header, resolved). */
  location: string;
  /** ICE servers the server offered in `Link: <…>; rel="ice-server"` headers. */
  iceServers: string[];
  /** The endpoint that made the session: the one asked, or the relay a redirect led to. */
  endpoint: string;
  /** The token the session was made with: DELETE and PATCH on `location` need it. */
  token: string;
  /** The stream's depth at the serving relay, when it says ({@link RELAY_DEPTH_HEADER}). */
  depth?: number;
}

/** A WHIP/WHEP request the server refused, with its status and body. */
export class SdpExchangeError extends Error {
  override name = "SdpExchangeError";
  constructor(readonly status: number, readonly body: string, readonly retryAfter?: number) {
    super(`${status}: ${body}`);
  }
}

/**
 * POSTs `offer` to a WHIP or WHEP endpoint with a bearer token, following a
 * full relay's redirects (at most {@link MAX_REDIRECTS}) when `token` can
 * make a token for the relay led to, and waiting out a busy relay's `503`
 * (at most {@link MAX_BUSY_RETRIES} times).
 *
 * @throws {SdpExchangeError} when the server does not answer `201 Created`
 */
export async function exchangeSdp(
  endpoint: string,
  offer: string,
  token: TokenFor,
  signal?: AbortSignal,
): Promise<SdpExchange> {
  let url = endpoint;
  let busy = 0;
  for (let redirects = 0;; redirects++) {
    const bearer = typeof token === "string" ? token : token(url);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/sdp", authorization: `Bearer ${bearer}` },
      body: offer,
      signal,
    });
    const body = await response.text();
    const at = response.url || url;
    if (response.status === 201) {
      const location = response.headers.get("location");
      if (!location) throw new SdpExchangeError(response.status, "201 without a Location header");
      return {
        answer: body,
        location: new URL(location, at).href,
        iceServers: parseIceLinks(response.headers.get("link")),
        endpoint: at,
        token: bearer,
        depth: parseDepth(response.headers.get(RELAY_DEPTH_HEADER)),
      };
    }
    // Sent on to another relay, which did not get this one's token.
    const followable = response.redirected && response.status === 401 &&
      typeof token !== "string";
    if (followable && redirects < MAX_REDIRECTS) {
      url = at;
      continue;
    }
    const retryHeader = response.headers.get("retry-after");
    const retry = retryHeader === null ? NaN : Number(retryHeader);
    if (
      response.status === 503 && retry >= 0 && retry <= MAX_BUSY_WAIT_SECONDS &&
      busy++ < MAX_BUSY_RETRIES
    ) {
      await waitFor(retry * 1000, signal);
      redirects--;
      continue;
    }
    throw new SdpExchangeError(
      response.status,
      followable ? `redirected more than ${MAX_REDIRECTS} times, last to ${at}: ${body}` : body,
      Number.isFinite(retry) ? retry : undefined,
    );
  }
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** A depth header's value, if it is a depth. */
function parseDepth(header: string | null): number | undefined {
  if (!header || !/^\d{1,3}$/.test(header)) return undefined;
  const depth = Number(header);
  return depth <= MAX_RELAY_DEPTH ? depth : undefined;
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

/**
 * Trickles ICE candidates to a session by PATCH with an
 * `application/trickle-ice-sdpfrag` body (RFC 8840), under the ICE ufrag of
 * the session's `offer`.
 *
 * @throws {SdpExchangeError} when the server refuses them
 */
export async function trickleCandidates(
  location: string,
  token: string,
  offer: string,
  candidates: { candidate: string; sdpMid?: string }[],
): Promise<void> {
  const ufrag = iceUfrag(offer);
  let fragment = ufrag === undefined ? "" : `a=ice-ufrag:${ufrag}\r\n`;
  for (const { candidate, sdpMid } of candidates) {
    if (sdpMid !== undefined) fragment += `m=audio 9 RTP/AVP 0\r\na=mid:${sdpMid}\r\n`;
    fragment += `a=${candidate.replace(/^a=/, "")}\r\n`;
  }
  const response = await fetch(location, {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/trickle-ice-sdpfrag",
    },
    body: fragment,
  });
  const body = await response.text();
  if (!response.ok) throw new SdpExchangeError(response.status, body);
}

/** The ICE ufrag of an SDP (the session-level one, or the first m-line's). */
export function iceUfrag(sdp: string): string | undefined {
  return sdp.match(/^a=ice-ufrag:(\S+)/m)?.[1];
}

/** The URLs of `rel="ice-server"` links in a `Link` header. */
export function parseIceLinks(header: string | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/<([^>]+)>\s*;[^,]*rel="ice-server"/g)].map((m) => m[1]);
}
