import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseRoute, routeHash } from "./routes.ts";

Deno.test("routes: new and older hashes lead to their view, anything else to the directory", () => {
  assertEquals(parseRoute("#/watch/7"), { view: "watch", argument: "7" });
  assertEquals(parseRoute("#watch/7"), { view: "watch", argument: "7" });
  assertEquals(parseRoute("#live/7"), { view: "studio", argument: "7" });
  assertEquals(parseRoute("#/studio"), { view: "studio" });
  assertEquals(parseRoute("#explorer"), { view: "explorer" });
  assertEquals(parseRoute("#/account"), { view: "account" });
  assertEquals(parseRoute(""), { view: "streams" });
  assertEquals(parseRoute("#/nowhere/3"), { view: "streams" });
});

Deno.test("routes: a route's hash reads back as the route", () => {
  for (
    const [view, argument] of [["watch", "12"], ["studio", undefined], ["explorer", undefined]]
  ) {
    const hash = routeHash(view!, argument);
    assertEquals(parseRoute(hash), argument ? { view, argument } : { view });
  }
  assertEquals(routeHash("live", 3), "#/studio/3");
});
