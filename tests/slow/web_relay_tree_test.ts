/**
 * A full node sends a browser on: node A serves one viewer at most
 * (`--relay-max-viewers 1`), and a second viewer's page, opened at A, is
 * redirected to node B (a registered relay). Chromium follows the `307`
 * itself and drops the token made for A on the way, B answers `401`, and
 * the page makes the offer again at B with a token for B. Its stats show B
 * serving at depth 1, frames decoded rising without a freeze, and the meter
 * counting vouchers B acknowledged: the page pays the relay that serves it.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { type BrowserSession, goLiveWithCamera, payAndWatch, walletAt } from "../_browser.ts";
import { fastDevSpec, NodeProcess, until } from "../_node.ts";
import { startTreeNodes } from "../_relay.ts";

Deno.test("web app: a full node sends the second viewer to another relay, which it pays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-tree-" });
  const chain = await fastDevSpec(dir);
  const nodes: NodeProcess[] = [];
  const browsers: BrowserSession[] = [];
  try {
    const { a, b } = await startTreeNodes(chain, 1, nodes);
    const originA = `http://127.0.0.1:${a.rpcPort}`;
    const originB = `http://127.0.0.1:${b.rpcPort}`;

    // The creator goes live from a (fake) camera: frames a browser can decode.
    const creator = await walletAt(originA, "//Charlie", "sr25519", browsers);
    const stream = await goLiveWithCamera(creator, "Watched down a tree", "0.001");

    const watch = async (uri: string) => {
      const page = await walletAt(originA, uri, "sr25519", browsers);
      return { page, status: await payAndWatch(page, originA, stream) };
    };
    const first = await watch("//Dave");
    assertEquals(first.status, `Watching stream #${stream}`);
    const second = await watch("//Eve");
    assertEquals(second.status, `Watching stream #${stream} from ${originB}`);
    const page = second.page;
    assertEquals(await page.getByTestId("stats-relay").getAttribute("data-origin"), originB);

    const frames = async () => Number(await page.getByTestId("stats-frames-decoded").textContent());
    const decoded = await until("frames decoded from B", async () => (await frames()) || undefined);
    await until("more frames decoded", async () => (await frames()) > decoded + 30 || undefined);
    assertEquals(await page.getByTestId("stats-freeze-count").textContent(), "0");
    await until(
      "B's depth and viewers on the page",
      async () => (await page.getByTestId("stats-relay-depth").textContent()) === "1" || undefined,
    );
    ok((await page.getByTestId("stats-relay-viewers").textContent())?.startsWith("1 of "));
    const paid = async () =>
      BigInt(await page.getByTestId("meter-paid").getAttribute("data-planck") ?? "0");
    const acked = await until("a voucher B acknowledged", async () => (await paid()) || undefined);
    await until("B's lane growing", async () => (await paid()) > acked || undefined);
    ok(b.output.includes(`Stream ${stream}: pulling from ${originA}`), "B pulls from A");
    for (const browser of browsers) assertEquals(browser.errors, []);
  } catch (e) {
    const logs = nodes.map((n) => n.output.slice(-3000)).join("\n---\n");
    throw new Error(`${(e as Error).message}\nThe nodes said:\n${logs}`);
  } finally {
    await Promise.all(browsers.map((browser) => browser.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    await Deno.remove(dir, { recursive: true });
  }
});
