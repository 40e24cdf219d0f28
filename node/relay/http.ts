/**
 * WHIP (RFC 9725) and WHEP on the node's HTTP port.
 *
 * - `POST /whip/{stream}` and `POST /whep/{stream}`: an `application/sdp`
 *   offer with a bearer token in, `201 Created` with the answer, the
 *   session's `Location` and the ICE servers as `Link: <…>; rel="ice-server"`.
 *   `POST /whep/{stream}?layer=L` pins a simulcast layer (a RID, `low`,
 *   `mid`, `high`; `auto` by default).
 * - `DELETE {location}` ends the session; `PATCH {location}` with
 *   `application/trickle-ice-sdpfrag` adds trickled candidates (an ICE
 *   restart gets `422`). Both only for the session's own account.
 * - `OPTIONS` on either answers CORS preflights and says `Accept-Post`.
 * - `GET` and `HEAD` on either answer `200` with no content, typed
 *   `application/sdp` (the WHEP draft's discoverability).
 * - `GET /relay/streams`: the streams carried here, as JSON, each with its
 *   viewers, source and depth in its relay tree here.
 * - `GET /relay/load`: `{"viewers": N, "maxViewers": M}`, the viewers served
 *   now and the most served (`null`: no bound); a full relay asks others
 *   before sending a viewer on to one of them.
 * - `GET /relay/live/{stream}`: whether the stream's publisher is sending,
 *   here or at a carrier the chain lists (`StreamLiveness`), with its
 *   viewers here; web pages ask it before a viewer pays.
 * - `PUT /relay/poster/{stream}`: the creator's poster (`image/jpeg`, a
 *   publish token), `204`; `GET /relay/poster/{stream}`: the newest one,
 *   here or at a carrier (`?here`: this relay's only), `404` when none.
 *
 * A relay pulling a stream is told the stream's depth here in the
 * `sutantra-relay-depth` header of the answer.
 *
 * Statuses: 400 bad SDP, 401 missing, invalid or expired token (`Bearer
 * error="invalid_token"`), 403 a valid token without the right, another
 * stream's included (`error="insufficient_scope"`), 404 no
 * such stream or session, 307 (with `Location`: another relay's WHEP
 * endpoint) a viewer this full relay sends on, 409 (with `Retry-After`)
 * not live or not here yet, 410 ended, 413 too large, 415 wrong content
 * type, 503 (with `Retry-After`) full or out of media capacity.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { clientAddress } from "../rpc/mod.ts";
import { authenticate, type Authenticated, Forbidden, Unauthenticated } from "./auth.ts";
import { StreamDepths } from "./depth.ts";
import type { PublisherLiveness } from "./liveness.ts";
import { MAX_POSTER_BYTES, type Posters } from "./posters.ts";
import { isLayerName } from "../../client/relay/pay_messages.ts";
import { type Relay, RelayError } from "./relay.ts";
import type { IceServer } from "./rtc_config.ts";
import type { TokenRole } from "../../client/relay/token.ts";
import { RELAY_DEPTH_HEADER } from "../../client/relay/whep_client.ts";

/** The largest SDP offer or fragment accepted, in bytes. */
export const MAX_SDP_BYTES = 64 * 1024;

const U64_MAX = (1n << 64n) - 1n;

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-allow-headers": "authorization, content-type, if-match",
  "access-control-expose-headers":
    `location, link, etag, accept-patch, retry-after, ${RELAY_DEPTH_HEADER}`,
};

/** What the routes need. */
export interface RelayRoutesInit {
  relay: Relay;
  /** The chain's genesis hash, `0x`-hex, lower case. */
  genesis: string;
  /** The origins clients reach this relay at: tokens must name one as their audience. */
  audiences: ReadonlySet<string>;
  iceServers: IceServer[];
  /** Unix seconds now; tokens expire by it. */
  nowSeconds?: () => number;
  /** The longest a token of each role may live (the chain spec's, or the defaults). */
  maxTokenSeconds?: Readonly<Record<TokenRole, number>>;
  /**
   * The depth of each stream pulled here (the relay's `UpstreamPuller`):
   * without it, only a stream published here has a known depth (0).
   */
  upstream?: { depth(stream: bigint): number | undefined };
  /** Whether streams are being published network-wide: without it, no `/relay/live` route. */
  liveness?: Pick<PublisherLiveness, "of">;
  /** Streams' posters: without them, no `/relay/poster` routes. */
  posters?: Posters;
}

/** Adds the WHIP, WHEP and relay status routes to `app`. */
export function addRelayRoutes(app: Hono, init: RelayRoutesInit): void {
  const now = init.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const links = init.iceServers.map(iceLink);
  const common = (extra: Record<string, string> = {}) => ({ ...CORS, ...extra });
  const depths = new StreamDepths(init.relay, init.upstream);

  for (const kind of ["whip", "whep"] as const) {
    // RFC 9725 §4.6: STUN/TURN configuration may go on a plain OPTIONS, but
    // not on a CORS preflight (one with Access-Control-Request-Method).
    app.options(`/${kind}/:stream`, (c) =>
      new Response(null, {
        status: 204,
        headers: common({
          "accept-post": "application/sdp",
          ...(c.req.header("access-control-request-method") ? {} : linkHeader(links)),
        }),
      }));
    app.options(`/${kind}/:stream/:session`, () =>
      new Response(null, {
        status: 204,
        headers: common({ "accept-patch": "application/trickle-ice-sdpfrag" }),
      }));

    // The WHEP draft: endpoints and sessions have no representation, so GET
    // is a 2xx without content, and HEAD's application/sdp is how a player
    // may tell that a URL is a WHEP endpoint. RFC 9725 is silent on GET;
    // WHIP resources answer alike.
    const noContent = () =>
      new Response(null, { status: 200, headers: common({ "content-type": "application/sdp" }) });
    app.get(`/${kind}/:stream`, (c) =>
      respond(() => {
        streamId(c.req.param("stream"));
        return Promise.resolve(noContent());
      }));
    app.get(`/${kind}/:stream/:session`, (c) =>
      respond(() => {
        streamId(c.req.param("stream"));
        if (!init.relay.has(c.req.param("session"))) throw new RelayError(404, "no such session");
        return Promise.resolve(noContent());
      }));

    app.post(`/${kind}/:stream`, (c) =>
      respond(async () => {
        const stream = streamId(c.req.param("stream"));
        const auth = authenticated(c, init, stream, now());
        if (!isMediaType(c.req.header("content-type"), "application/sdp")) {
          throw new RelayError(415, "the offer must be application/sdp");
        }
        const offer = await boundedBody(c);
        if (!/^v=0/m.test(offer)) throw new RelayError(400, "the body is not an SDP offer");
        const address = clientAddress(c);
        const { id, answer } = kind === "whip"
          ? await init.relay.publish(auth, offer, address)
          : await init.relay.watch(auth, offer, address, layerQuery(c.req.query("layer")));
        const depth = auth.role === "relay" ? depths.of(stream) : undefined;
        return new Response(answer, {
          status: 201,
          headers: common({
            "content-type": "application/sdp",
            location: `/${kind}/${stream}/${id}`,
            etag: `"${id}"`,
            "accept-patch": "application/trickle-ice-sdpfrag",
            ...linkHeader(links),
            ...(depth === undefined ? {} : { [RELAY_DEPTH_HEADER]: String(depth) }),
          }),
        });
      }));

    app.delete(`/${kind}/:stream/:session`, (c) =>
      respond(async () => {
        const stream = streamId(c.req.param("stream"));
        const auth = authenticated(c, init, stream, now());
        await init.relay.end(c.req.param("session"), auth.account);
        return new Response(null, { status: 200, headers: common() });
      }));

    app.patch(`/${kind}/:stream/:session`, (c) =>
      respond(async () => {
        const stream = streamId(c.req.param("stream"));
        const auth = authenticated(c, init, stream, now());
        const id = c.req.param("session");
        if (!isMediaType(c.req.header("content-type"), "application/trickle-ice-sdpfrag")) {
          throw new RelayError(415, "PATCH takes application/trickle-ice-sdpfrag");
        }
        const ifMatch = c.req.header("if-match");
        if (ifMatch && ifMatch !== "*" && ifMatch !== `"${id}"`) {
          throw new RelayError(412, "If-Match does not name this session");
        }
        await init.relay.trickle(id, auth.account, parseSdpFragment(await boundedBody(c)));
        return new Response(null, { status: 204, headers: common() });
      }));
  }

  app.get("/relay/streams", (c) => c.json(depths.streams(), 200, CORS));
  app.get("/relay/load", (c) => {
    const { viewers, maxViewers } = init.relay.load();
    return c.json({ viewers, maxViewers: maxViewers ?? null }, 200, CORS);
  });
  const liveness = init.liveness;
  if (liveness) {
    app.get("/relay/live/:stream", (c) =>
      respond(async () => {
        const answer = await liveness.of(streamId(c.req.param("stream")));
        return Response.json(answer, { headers: common({ "cache-control": "no-store" }) });
      }));
  }
  if (init.posters) addPosterRoutes(app, init, init.posters, now);
}

/** `PUT` and `GET /relay/poster/{stream}` (and the `OPTIONS` a page's `PUT` is preceded by). */
function addPosterRoutes(
  app: Hono,
  init: RelayRoutesInit,
  posters: Posters,
  now: () => number,
): void {
  const path = "/relay/poster/:stream";
  app.options(path, () => new Response(null, { status: 204, headers: CORS }));
  app.put(path, (c) =>
    respond(async () => {
      const auth = authenticated(c, init, streamId(c.req.param("stream")), now());
      if (!isMediaType(c.req.header("content-type"), "image/jpeg")) {
        throw new RelayError(415, "a poster must be image/jpeg");
      }
      posters.put(auth, await boundedBytes(c, MAX_POSTER_BYTES));
      return new Response(null, { status: 204, headers: CORS });
    }));
  app.get(path, (c) =>
    respond(async () => {
      const stream = streamId(c.req.param("stream"));
      const jpeg = c.req.query("here") === undefined
        ? await posters.of(stream)
        : posters.here(stream);
      if (!jpeg) throw new RelayError(404, `no poster of stream ${stream}`);
      return new Response(jpeg, {
        headers: { ...CORS, "content-type": "image/jpeg", "cache-control": "max-age=5" },
      });
    }));
}

/** One `Link` value for an ICE server (RFC 9725 §4.6). */
function iceLink(server: IceServer): string {
  let link = `<${server.urls}>; rel="ice-server"`;
  if (server.username !== undefined) link += `; username="${server.username}"`;
  if (server.credential !== undefined) {
    link += `; credential="${server.credential}"; credential-type="password"`;
  }
  return link;
}

function linkHeader(links: string[]): Record<string, string> {
  return links.length ? { link: links.join(", ") } : {};
}

/**
 * A WHEP URL's `?layer=`: the simulcast layer to pin (a RID, `low`, `mid`,
 * `high`, or `auto`).
 *
 * @throws {RelayError} 400 when it is not a layer name
 */
function layerQuery(layer: string | undefined): { layer?: string } {
  if (layer === undefined) return {};
  if (!isLayerName(layer)) {
    throw new RelayError(400, "?layer= takes a layer: a RID, low, mid, high or auto");
  }
  return { layer };
}

/** The stream id of a path segment; anything but a u64 is a stream that does not exist. */
function streamId(segment: string): bigint {
  if (!/^[0-9]{1,20}$/.test(segment) || BigInt(segment) > U64_MAX) {
    throw new RelayError(404, `no stream ${segment}`);
  }
  return BigInt(segment);
}

function authenticated(
  c: Context,
  init: RelayRoutesInit,
  stream: bigint,
  nowSeconds: number,
): Authenticated {
  const { genesis, audiences, maxTokenSeconds } = init;
  try {
    return authenticate(c.req.header("authorization"), {
      genesis,
      stream,
      nowSeconds,
      audiences,
      maxTokenSeconds,
    });
  } catch (e) {
    if (e instanceof Unauthenticated) {
      throw new RelayError(401, e.message, {
        "www-authenticate": `Bearer error="invalid_token"`,
      });
    }
    if (e instanceof Forbidden) throw new RelayError(403, e.message);
    throw e;
  }
}

function isMediaType(header: string | undefined, type: string): boolean {
  return header?.split(";")[0].trim().toLowerCase() === type;
}

async function boundedBody(c: Context): Promise<string> {
  return new TextDecoder().decode(await boundedBytes(c, MAX_SDP_BYTES));
}

/** The request's body, refused (413) past `limit` bytes, by its `content-length` first. */
async function boundedBytes(c: Context, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => new RelayError(413, `the body exceeds ${limit} bytes`);
  if (Number(c.req.header("content-length") ?? 0) > limit) throw tooLarge();
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.length > limit) throw tooLarge();
  return body;
}

/** The ICE ufrag and candidates of a trickle-ice-sdpfrag body (RFC 8840). */
export function parseSdpFragment(
  body: string,
): { ufrag?: string; candidates: { candidate: string; sdpMid?: string }[] } {
  let ufrag: string | undefined;
  let mid: string | undefined;
  const candidates: { candidate: string; sdpMid?: string }[] = [];
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("a=ice-ufrag:")) ufrag ??= line.slice("a=ice-ufrag:".length);
    else if (line.startsWith("a=mid:")) mid = line.slice("a=mid:".length);
    else if (line.startsWith("a=candidate:")) {
      candidates.push({ candidate: line.slice(2), sdpMid: mid });
    } else if (line && !/^(a=|m=|c=)/.test(line)) {
      throw new RelayError(400, `not an SDP fragment line: ${line.slice(0, 80)}`);
    }
  }
  return { ufrag, candidates };
}

/** Runs a handler, turning a refusal into its status with a plain-text reason. */
async function respond(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (e) {
    if (e instanceof RelayError) {
      // RFC 6750 §3.1: a valid token without the right says so.
      const scope: Record<string, string> = e.status === 403
        ? { "www-authenticate": `Bearer error="insufficient_scope"` }
        : {};
      return new Response(`${e.message}\n`, {
        status: e.status,
        headers: { ...CORS, "content-type": "text/plain; charset=utf-8", ...scope, ...e.headers },
      });
    }
    throw e;
  }
}
