/**
 * The web app through a media worker's crash: Alice publishes her camera
 * and Bob watches and pays; the node's media worker is killed. Both pages
 * see their connection go, start over on their own (Alice publishing again
 * as an encoder does, Bob watching again and paying on from what he paid),
 * and Bob's frames decode again.
 */
import { ok } from "node:assert/strict";
import { aliceLiveBobWatching, type BrowserSession } from "../_browser.ts";
import { childrenOf, fastDevSpec, NodeProcess, until } from "../_node.ts";

Deno.test("web app: after the node's media worker is killed, the publisher and the viewer reconnect by themselves", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-crash-" });
  const node = new NodeProcess(["--chain", await fastDevSpec(dir), "--alice", "--base-path", dir]);
  const browsers: BrowserSession[] = [];
  try {
    await node.ready();
    const origin = `http://127.0.0.1:${node.rpcPort}`;
    const { alice, bob } = await aliceLiveBobWatching(origin, browsers);
    const frames = async () => Number(await bob.getByTestId("stats-frames-decoded").textContent());
    await until("frames decoded", async () => await frames() > 10 || undefined);
    const paid = async () =>
      BigInt(await bob.getByTestId("meter-paid").getAttribute("data-planck") ?? "0");
    await until("a paid second", async () => await paid() > 0n || undefined);

    const [worker] = await childrenOf(node.pid);
    ok(worker, "the node runs a media worker");
    Deno.kill(worker, "SIGKILL");
    const session = (page: typeof bob, testId: string) =>
      page.getByTestId(testId).getAttribute("data-session");
    const watched = await session(bob, "watch-video");
    const published = await session(alice, "live-preview");
    ok(watched && published, "the pages say which sessions they hold");
    await until(
      "Bob's page to notice and watch in a new session",
      async () => (await session(bob, "watch-video")) !== watched || undefined,
      60_000,
    );
    await until(
      "Alice's page to publish in a new session",
      async () => (await session(alice, "live-preview")) !== published || undefined,
      60_000,
    );
    const paidBefore = await paid();
    await until(
      "Bob's frames decoding again once Alice is back",
      async () =>
        (await bob.getByTestId("watch-status").getAttribute("data-state")) === "ok" &&
          await frames() > 10 || undefined,
      90_000,
    );
    await until(
      "Bob paying on from what he had paid",
      async () => await paid() > paidBefore || undefined,
      30_000,
    );
    ok(
      (await alice.getByTestId("live-status").getAttribute("data-state")) === "ok",
      "Alice's page is live again",
    );
    const [restarted] = await childrenOf(node.pid);
    ok(restarted !== undefined && restarted !== worker, "a new media worker serves them");
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
