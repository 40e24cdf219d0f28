/**
 * Go live and watch in the web app, two browsers on one dev node: Alice
 * (ed25519) creates a stream and publishes her fake camera by WHIP; Bob
 * (sr25519) opens a payment channel, watches by WHEP, and pays each second
 * on the `sutantra-pay` channel while frames decode; Alice's page counts him.
 */
import { ok } from "node:assert/strict";
import { aliceLiveBobWatching, type BrowserSession, statusOk } from "./_browser.ts";
import { fastDevSpec, NodeProcess, until } from "./_node.ts";

Deno.test("web app: Alice goes live from her camera, Bob opens a channel, watches and pays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-live-" });
  const node = new NodeProcess(["--chain", await fastDevSpec(dir), "--alice", "--base-path", dir]);
  const browsers: BrowserSession[] = [];
  try {
    await node.ready();
    const origin = `http://127.0.0.1:${node.rpcPort}`;
    // Go live (goLive on chain, then WHIP from the fake camera); watch with a channel of 1
    // token (WHEP, vouchers every second).
    const { alice, bob } = await aliceLiveBobWatching(origin, browsers);

    const planck = async (testId: string) =>
      BigInt(await bob.getByTestId(testId).getAttribute("data-planck") ?? "0");
    const price = 1_000_000_000n; // 0.001 token of 12 decimals
    await until(
      "three paid seconds acked by the relay",
      async () => await planck("meter-paid") >= 3n * price || undefined,
    );
    ok(await planck("meter-deposit-left") <= 1_000_000_000_000n - 3n * price);
    await until(
      "frames decoded",
      async () =>
        Number(await bob.getByTestId("stats-frames-decoded").textContent()) > 10 || undefined,
    );
    await until(
      "Alice's page counting one viewer",
      async () => (await alice.getByTestId("live-viewers").textContent()) === "1" || undefined,
    );
    ok(/kbit|Mbit/.test(await alice.getByTestId("live-bitrate").textContent() ?? ""));

    await bob.getByTestId("watch-stop").click();
    await statusOk(bob, "watch-status");
    await alice.getByTestId("live-stop").click();
    await statusOk(alice, "live-status");
    for (const b of browsers) ok(b.errors.length === 0, `page errors: ${b.errors.join("; ")}`);
  } finally {
    for (const b of browsers) await b.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
