/**
 * The web app in headless Chromium against a real dev node: the page the
 * node serves imports //Alice, follows best and finalized blocks, makes a
 * transfer (signed from its dialog) that Bob's balance shows over RPC, and
 * creates a stream in the studio that appears in the creator's list.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { TOKEN } from "../chain-spec/presets.ts";
import { keypairFromUri } from "../runtime/crypto/keypair.ts";
import { ss58Encode } from "../runtime/crypto/ss58.ts";
import {
  type BrowserSession,
  confirmSigning,
  createStream,
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
    await confirmSigning(page);
    await statusOk(page, "transfer-status");
    await until(
      "Bob's balance to rise",
      async () => (await free(node, bob)) === before + 3n * TOKEN / 2n || undefined,
    );

    // Studio: create a stream; it is listed with its title, ready to go live.
    const id = await createStream(page, "Browser show", "0.001");
    const stream = page.locator(`[data-testid=studio-stream-row][data-stream-id="${id}"]`);
    await stream.waitFor({ timeout: 30_000 });
    ok((await stream.textContent())!.includes("Browser show"));
    assertEquals(await stream.getAttribute("data-status"), "Created");
    assertEquals(await byTestId("studio-stream").inputValue(), id, "picked to go live with");

    assertEquals(await byTestId("error").isHidden(), true, "no error banner");
    assertEquals(browser.errors, [], "no uncaught page errors");
  } finally {
    await browser?.close();
    await node.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
