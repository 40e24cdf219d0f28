/**
 * The web app in headless Chromium against a real dev node: the page the
 * node serves imports //Alice, follows best and finalized blocks, makes a
 * transfer that Bob's balance shows over RPC, and creates a stream that
 * appears in the list.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { TOKEN } from "../chain-spec/presets.ts";
import { keypairFromUri } from "../runtime/crypto/keypair.ts";
import { ss58Encode } from "../runtime/crypto/ss58.ts";
import {
  type BrowserSession,
  importAccount,
  launchBrowser,
  openApp,
  statusOk,
} from "./_browser.ts";
import { balanceAt, fastDevSpec, NodeProcess, until } from "./_node.ts";

const alice = ss58Encode(keypairFromUri("//Alice").publicKey);
const bob = keypairFromUri("//Bob").publicKey;

async function free(node: NodeProcess, who: Uint8Array): Promise<bigint> {
  return (await balanceAt(node, who)).free;
}

Deno.test("web app: import //Alice, follow blocks and finality, transfer to Bob, create a stream", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-web-" });
  const node = new NodeProcess(["--chain", await fastDevSpec(dir), "--alice", "--base-path", dir]);
  let browser: BrowserSession | undefined;
  try {
    await node.ready();
    browser = await launchBrowser();
    const { page } = browser;
    const byTestId = (id: string) => page.getByTestId(id);
    await openApp(page, `http://127.0.0.1:${node.rpcPort}`);

    // The explorer follows the chain: best and finalized numbers move on.
    const numberOf = async (id: string) => Number(await byTestId(id).getAttribute("data-number"));
    const best = await until(
      "a best block on the page",
      async () => (await numberOf("best-number")) || undefined,
    );
    await until(
      "three more best blocks",
      async () => await numberOf("best-number") >= best + 3 || undefined,
    );
    await until(
      "a finalized block past the first seen",
      async () => await numberOf("finalized-number") >= best || undefined,
    );
    const row = page.getByTestId("block-row").last();
    const listed = Number(await row.getAttribute("data-number"));
    assertEquals(
      await row.getAttribute("data-hash"),
      await node.rpc<string>("chain_getBlockHash", [listed]),
      "the page hashes headers as the node does",
    );

    // Account: import //Alice as the ed25519 dev account (signing happens in the page
    // from here on); the form offers sr25519, polkadot.js Apps' scheme, first.
    assertEquals(await byTestId("import-scheme").inputValue(), "sr25519");
    await importAccount(page, "//Alice", "ed25519");
    await until(
      "Alice's address on the page",
      async () => (await byTestId("account-address").textContent()) === alice || undefined,
    );
    assertEquals(await byTestId("account-scheme").textContent(), "ed25519");
    await until(
      "Alice's balance",
      async () => (await byTestId("account-balance").getAttribute("data-planck")) ?? undefined,
    );

    // Transfer 1.5 tokens to Bob; his balance rises by exactly that.
    const before = await free(node, bob);
    await byTestId("transfer-to").fill(ss58Encode(bob));
    await byTestId("transfer-amount").fill("1.5");
    await byTestId("transfer-button").click();
    await statusOk(page, "transfer-status");
    await until(
      "Bob's balance to rise",
      async () => (await free(node, bob)) === before + 3n * TOKEN / 2n || undefined,
    );

    // Streams: create one; it is listed with its title.
    await byTestId("nav-streams").click();
    await byTestId("stream-title").fill("Browser show");
    await byTestId("stream-price").fill("0.001");
    await byTestId("stream-create-button").click();
    await statusOk(page, "stream-create-status");
    const id = await byTestId("stream-create-status").getAttribute("data-stream-id");
    const stream = page.locator(`[data-testid=stream-row][data-stream-id="${id}"]`);
    await stream.waitFor({ timeout: 30_000 });
    assertEquals(await stream.getByTestId("stream-row-title").textContent(), "Browser show");
    assertEquals(await stream.getAttribute("data-status"), "Created");
    ok(await stream.getByTestId("stream-go-live").isVisible(), "its creator can go live");

    assertEquals(await byTestId("error").isHidden(), true, "no error banner");
    assertEquals(browser.errors, [], "no uncaught page errors");
  } finally {
    await browser?.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
