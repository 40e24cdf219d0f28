/**
 * The light client serving JSON-RPC, against a real dev node over libp2p:
 *
 * - as a process (`deno task node --light --bootnodes …`): its answers about
 *   state equal the full node's at the same block; the CLI, pointed at it,
 *   reads a balance and sends a transfer that finalizes; its informant
 *   counts the proofs it verified;
 * - in the CLI's own process (`query balance --light`): the balance it
 *   prints, proven, is the node's, and it says at which finalized block;
 * - in process, as polkadot-api's provider (`createClient(provider)`):
 *   polkadot-api reads `System.Account` and submits a transfer that
 *   finalizes, with its events, all through proofs.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { createClient } from "polkadot-api";
import { getPolkadotSigner } from "polkadot-api/signer";
import { loadChainSpec, specCheckpoint, TOKEN } from "../chain-spec/mod.ts";
import { blockHash } from "../runtime/block/header.ts";
import { keypairFromUri, ss58Encode, verifyNative } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { LightChain } from "../client/light/chain.ts";
import { LightClient } from "../client/light/client.ts";
import { lightProvider } from "../client/light/rpc/mod.ts";
import { networkTransport } from "../node/light/transport.ts";
import { provenRuntime } from "../node/light/runtime.ts";
import { parseAmount } from "../client/units.ts";
import { aliceNode, cli, fastDevSpec, finalizedNumber, NodeProcess, until } from "./_node.ts";
import { lightNetwork } from "./_light.ts";
import { papiTransfer } from "./_papi.ts";

const alice = keypairFromUri("//Alice");
const bobAddress = ss58Encode(keypairFromUri("//Bob").publicKey);
const aliceAddress = ss58Encode(alice.publicKey);

/** An account's free balance, in planck, as the CLI's `query balance` prints it (in STREAM). */
function freeIn(out: string): bigint {
  const match = out.match(/free: ([\d.]+) STREAM/);
  if (!match) throw new Error(`no balance in: ${out}`);
  return parseAmount(match[1], 12);
}

Deno.test({
  name:
    "a light node serves the RPC from proofs: to the CLI as a process, to polkadot-api in process",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-light-node-" });
    const specPath = await fastDevSpec(dir);
    const full = aliceNode(specPath);
    let light: NodeProcess | undefined;
    try {
      await full.ready();
      const [address] = await full.rpc<string[]>("system_localListenAddresses");
      await until(
        "the full node to finalize",
        async () => await finalizedNumber(full) >= 3 || undefined,
        60_000,
      );

      await t.step("as a process, for the CLI", async () => {
        light = new NodeProcess(["--chain", specPath, "--light", "--bootnodes", address]);
        const node = light;
        await node.ready();
        await until(
          "the light node to sync",
          async () => await finalizedNumber(node) >= 3 || undefined,
          60_000,
        );
        assertEquals(await node.rpc("system_nodeRoles"), ["Light"]);

        // Its answers about state are the full node's at the same block.
        const at = await node.rpc<string>("chain_getFinalizedHead");
        const number = parseInt(
          (await node.rpc<{ number: string }>("chain_getHeader", [at])).number,
          16,
        );
        assertEquals(
          at,
          await full.rpc<string>("chain_getBlockHash", [number]),
          "the same finalized chain",
        );
        const accountKey =
          (await cli(node, "query", "storage", "System", "Account", `"${aliceAddress}"`)).out;
        ok(accountKey.includes("free"), accountKey);
        for (
          const [method, params] of [
            ["state_call", ["AccountNonceApi_account_nonce", toHex(alice.publicKey), at]],
            ["state_getRuntimeVersion", []],
            ["sutantra_metadataJson", [at]],
          ] as const
        ) {
          assertEquals(
            await node.rpc(method, [...params]),
            await full.rpc(method, [...params]),
            `${method} as the full node answers`,
          );
        }

        // The CLI, pointed at the light node, sends a transfer and sees it finalized.
        const before = freeIn((await cli(node, "query", "balance", bobAddress)).out);
        const sent = await cli(
          node,
          "tx",
          "transfer",
          "--from",
          "//Alice",
          "--to",
          bobAddress,
          "--amount",
          `${TOKEN}planck`,
        );
        assertEquals(sent.code, 0, sent.out);
        ok(
          /Finalized in #\d+ \(0x/.test(sent.out) && sent.out.includes("Balances.Transfer"),
          sent.out,
        );
        const after = freeIn((await cli(node, "query", "balance", bobAddress)).out);
        assertEquals(after, before + TOKEN, "Bob's balance, proven, grew by the transfer");
        assertEquals(after, freeIn((await cli(full, "query", "balance", bobAddress)).out));
        await until(
          "the informant to count proofs",
          () => /[1-9]\d* proofs verified/.test(node.output) || undefined,
          20_000,
        );
      });

      await t.step("in the CLI's own process (--light)", async () => {
        const light = ["--light", "--chain", specPath, "--bootnodes", address];
        const read = await cli(full, "query", "balance", bobAddress, ...light);
        assertEquals(read.code, 0, read.out);
        ok(
          /verified by a light client at finalized #\d+ 0x[0-9a-f]{64}: [1-9]\d* proofs checked/
            .test(read.out),
          read.out,
        );
        const trusted = await cli(full, "query", "balance", bobAddress);
        assertEquals(freeIn(read.out), freeIn(trusted.out), "the proven balance is the node's");
        const noNode = await cli(
          full,
          "query",
          "balance",
          bobAddress,
          "--light",
          "--chain",
          specPath,
        );
        ok(noNode.code !== 0 && noNode.out.includes("--bootnodes"), noNode.out);
      });

      await t.step("in process, as polkadot-api's provider", async () => {
        const spec = loadChainSpec(specPath);
        const checkpoint = specCheckpoint(spec);
        const network = await lightNetwork(blockHash(checkpoint.header), [address]);
        const chain = new LightChain(
          new LightClient(checkpoint, networkTransport(network), verifyNative),
          {
            pollMs: 200,
          },
        );
        const provider = lightProvider({
          chain,
          runtime: provenRuntime,
          spec,
          genesisHash: blockHash(checkpoint.header),
          node: { name: "light-test", version: "test" },
          peers: () => network.peers().map((p) => p.peerId),
        });
        let client: ReturnType<typeof createClient> | undefined;
        try {
          await until("a full peer", () => network.peers().length > 0 || undefined, 30_000);
          await chain.start();
          client = createClient(provider);
          const api = client.getUnsafeApi();
          const free = async () =>
            ((await api.query.System.Account.getValue(bobAddress)) as { data: { free: bigint } })
              .data.free;
          const before = await free();
          ok(before > 0n, "Bob is endowed");
          const signer = getPolkadotSigner(
            alice.publicKey,
            "Ed25519",
            (payload) => alice.sign(payload),
          );
          const events = await papiTransfer(api, signer, bobAddress, TOKEN);
          ok(events.includes("Balances.Transfer"), events.join());
          await until(
            "Bob's proven balance to grow",
            async () => await free() === before + TOKEN || undefined,
            30_000,
          );
        } finally {
          client?.destroy();
          chain.stop();
          await network.stop();
        }
      });
    } finally {
      await light?.stop();
      await full.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
