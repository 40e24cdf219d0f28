/**
 * The app's routes, one per view, in the URL's hash: `#/streams` (the
 * directory, where the app opens), `#/watch/7`, `#/studio` (or
 * `#/studio/7`, a stream picked), `#/explorer` (or `#/explorer/12`, a block
 * shown) and `#/account`. Links of
 * older pages (`#explorer`, `#watch/7`, `#live/7`: the studio was "Go
 * live") still lead to their view.
 *
 * @module
 */

/** The views a route can show. */
export const VIEWS = ["streams", "watch", "studio", "explorer", "account"] as const;

/** A view's name. */
export type View = typeof VIEWS[number];

/** Where a hash leads: a view, and what it is about (a stream id). */
export interface Route {
  view: View;
  argument?: string;
}

/** Older names of views. */
const ALIASES: Record<string, View> = { live: "studio" };

/**
 * The route of a hash (`#/watch/7`, or an older `#watch/7`); the
 * directory for an empty or unknown one.
 *
 * @example
 * ```ts
 * import { parseRoute } from "./routes.ts";
 * const { view, argument } = parseRoute("#live/7");
 * if (view !== "studio" || argument !== "7") throw new Error("#live is the studio");
 * ```
 */
export function parseRoute(hash: string): Route {
  const [name = "", argument] = hash.replace(/^#\/?/, "").split("/");
  const view = ALIASES[name] ?? VIEWS.find((v) => v === name);
  if (!view) return { view: "streams" };
  return argument ? { view, argument: decodeURIComponent(argument) } : { view };
}

/**
 * The hash of a route: `#/studio`, `#/watch/7`.
 *
 * @example
 * ```ts
 * import { routeHash } from "./routes.ts";
 * if (routeHash("watch", 7) !== "#/watch/7") throw new Error("watch");
 * if (routeHash("live") !== "#/studio") throw new Error("live is the studio");
 * ```
 */
export function routeHash(view: string, argument?: string | number): string {
  const name = ALIASES[view] ?? view;
  return argument === undefined || argument === ""
    ? `#/${name}`
    : `#/${name}/${encodeURIComponent(String(argument))}`;
}
