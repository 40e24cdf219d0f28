/**
 * polkadot-api 2.2.2 with its WebSocket provider (the new JSON-RPC spec
 * only: chainHead, transaction, chainSpec) against a dev node started as a
 * process: the unsafe API reads storage and constants, transfers signed
 * with an ed25519 and an sr25519 key, and one signed with the metadata hash
 * (RFC 78, `withMetadataHash`), are watched until finalized (events
 * decoded), and the client's chainHead follow keeps up over 100 blocks.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { createClient } from "polkadot-api";
import { getPolkadotSigner, withMetadataHash } from "polkadot-api/signer";
import { getWsProvider } from "polkadot-api/ws";
import { TOKEN } from "../chain-spec/presets.ts";
import { keypairFromUri, sr25519FromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { NodeProcess, until } from "./_node.ts";
import { papiTransfer } from "./_papi.ts";

const alice = keypairFromUri("//Alice");

/** An account's free balance out of the unsafe API's untyped `System.Account`. */
function free(account: unknown): bigint {
  return (account as { data: { free: bigint } }).data.free;
}
const bob = keypairFromUri("//Bob");

Deno.test("polkadot-api: read, sign with ed25519 and sr25519 and watch transfers until finalized, follow 100 blocks", async () => {
  const node = new NodeProcess(["--chain", "dev", "--alice", "--seal", "manual", "--tmp"]);
  let client: ReturnType<typeof createClient> | undefined;
  try {
    await node.ready();
    client = createClient(getWsProvider(`ws://127.0.0.1:${node.rpcPort}`));
    const api = client.getUnsafeApi();
    const bobAddress = ss58Encode(bob.publicKey);
    const before = await api.query.System.Account.getValue(bobAddress);
    ok(free(before) > 0n, "Bob is endowed");
    ok((await api.constants.Balances.ExistentialDeposit() as bigint) > 0n);

    // Seal blocks while the transaction is in flight (the node seals on demand).
    let sealing = true;
    const sealer = (async () => {
      while (sealing) {
        await node.rpc("engine_createBlock", [true, true]).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const signer = getPolkadotSigner(alice.publicKey, "Ed25519", (payload) => alice.sign(payload));
    const events = await papiTransfer(api, signer, bobAddress, TOKEN);
    ok(events.includes("Balances.Transfer"), events.join());
    const afterEd25519 = await api.query.System.Account.getValue(bobAddress);
    assertEquals(free(afterEd25519), free(before) + TOKEN);

    // polkadot.js Apps' default key kind: the sr25519 //Alice, endowed on the dev chain.
    const srAlice = sr25519FromUri("//Alice");
    const srSigner = getPolkadotSigner(srAlice.publicKey, "Sr25519", (m) => srAlice.sign(m));
    await papiTransfer(api, srSigner, bobAddress, TOKEN);
    const afterSr25519 = await api.query.System.Account.getValue(bobAddress);
    assertEquals(free(afterSr25519), free(afterEd25519) + TOKEN);

    // CheckMetadataHash mode 1: the signer merkleizes the node's metadata with the token
    // the node serves (chainSpec_v1_properties) and signs its digest.
    const { properties } = await client.getChainSpecData();
    const hashSigner = withMetadataHash({
      decimals: properties.tokenDecimals,
      tokenSymbol: properties.tokenSymbol,
    }, srSigner);
    await papiTransfer(api, hashSigner, bobAddress, TOKEN);
    const after = await api.query.System.Account.getValue(bobAddress);
    assertEquals(free(after), free(afterSr25519) + TOKEN);

    // The follow keeps up with 100 more blocks (polkadot-api pins and unpins as it goes).
    const start = (await client.getFinalizedBlock()).number;
    await until("100 more finalized blocks", async () => {
      return (await client!.getFinalizedBlock()).number >= start + 100 || undefined;
    }, 120_000);
    sealing = false;
    await sealer;
    assertEquals(free(await api.query.System.Account.getValue(bobAddress)), free(after));
  } finally {
    client?.destroy();
    await node.stop();
  }
});
