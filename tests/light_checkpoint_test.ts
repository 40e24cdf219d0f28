/**
 * A chain spec's checkpoint, end to end: a dev node (eras of 10 blocks)
 * finalizes past a set change; `build-spec --checkpoint-from` asks it for
 * its finalized block (`sync_state_genSyncSpec`) and writes the spec with
 * that `lightSyncState`; a light client started from the spec's checkpoint
 * warps from the checkpoint's set (never from genesis) and reaches the
 * node's finalized block. A node on another chain is refused; a forged
 * checkpoint (another set) is trusted, as a spec's is, until the chain's
 * justifications fail against it.
 */
import { deepStrictEqual as assertEquals, match, ok, rejects } from "node:assert/strict";
import { loadChainSpec, specCheckpoint, specGenesis } from "../chain-spec/mod.ts";
import { blockHash } from "../runtime/block/header.ts";
import { keypairFromUri, verifyNative } from "../runtime/crypto/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { Network } from "../node/network/mod.ts";
import { networkTransport } from "../node/light/transport.ts";
import { LightClient, type LightTransport, NoHonestAnswer } from "../client/light/client.ts";
import { decodeLightRequest, type LightRequest } from "../client/light/protocol.ts";
import { aliceNode, fastDevSpec, finalizedNumber, runCli, until } from "./_node.ts";
import { lightNetwork } from "./_light.ts";

/** Runs `build-spec` with `args`; its exit code, stdout and stderr. */
function buildSpec(...args: string[]) {
  return runCli(["--allow-read", "--allow-net=127.0.0.1", "--allow-env"], ["build-spec", ...args]);
}

Deno.test({
  name: "a light client starts from the checkpoint build-spec --checkpoint-from wrote, not genesis",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-checkpoint-" });
    const devPath = await fastDevSpec(dir, { eraLength: 10 });
    const node = aliceNode(devPath);
    let light: Network | undefined;
    try {
      await node.ready();
      const url = `http://127.0.0.1:${node.rpcPort}`;
      const genesis = specCheckpoint(loadChainSpec(devPath));
      await until(
        "finality past a set change",
        async () => (await finalizedNumber(node)) > 10 || undefined,
        60_000,
      );

      const built = await buildSpec("--chain", devPath, "--checkpoint-from", url);
      assertEquals(built.code, 0, built.err);
      const specPath = `${dir}/checkpoint.json`;
      await Deno.writeTextFile(specPath, built.out);
      const spec = loadChainSpec(specPath);
      assertEquals(
        toHex(blockHash(specGenesis(spec).header)),
        await node.rpc<string>("chain_getBlockHash", [0]),
        "the same chain",
      );
      const checkpoint = specCheckpoint(spec);
      ok(checkpoint.set.setId > genesis.set.setId, "the checkpoint is past a set change");
      assertEquals(
        toHex(blockHash(checkpoint.header)),
        await node.rpc<string>("chain_getBlockHash", [checkpoint.header.number]),
        "the checkpoint is the node's finalized block",
      );

      const elsewhere = await buildSpec("--chain", "local", "--checkpoint-from", url);
      assertEquals(elsewhere.code, 1);
      match(elsewhere.err, /The node at http:\/\/127\.0\.0\.1:\d+ runs another chain: genesis 0x/);

      // Past one more set change, so that the client warps from its checkpoint's set.
      await until(
        "finality past the next set change",
        async () => (await finalizedNumber(node)) > checkpoint.header.number + 12 || undefined,
        60_000,
      );
      const [address] = await node.rpc<string[]>("system_localListenAddresses");
      light = await lightNetwork(blockHash(genesis.header), [address]);
      const network = light;
      await until("the light client to reach the node", () => network.peers()[0]?.peerId);
      const transport = networkTransport(network);
      const asked: LightRequest[] = [];
      const recording: LightTransport = {
        ...transport,
        request: (peer, bytes) => {
          asked.push(decodeLightRequest(bytes));
          return transport.request(peer, bytes);
        },
      };

      const client = new LightClient(checkpoint, recording, verifyNative);
      const at = await until("the light client to sync", () => client.sync(), 60_000);
      assertEquals(
        toHex(blockHash(at)),
        await node.rpc<string>("chain_getBlockHash", [at.number]),
        "the light client's finalized block is the node's",
      );
      ok(client.finality.set.setId > checkpoint.set.setId, "warped over a later set change");
      const warpsFrom = asked.flatMap((r) => r.tag === "WarpProof" ? [r.value.fromSetId] : []);
      assertEquals(warpsFrom[0], checkpoint.set.setId, "the first warp starts at the checkpoint");
      ok(warpsFrom.every((id) => id >= checkpoint.set.setId), `never from genesis: ${warpsFrom}`);

      // The checkpoint is the root of trust: another set is believed, and then nothing holds.
      const forged = new LightClient(
        {
          header: checkpoint.header,
          set: {
            setId: checkpoint.set.setId,
            authorities: [keypairFromUri("//Mallory").publicKey],
          },
        },
        // The node told the truth: it keeps its standing for the next test.
        { ...transport, ban: () => {} },
        verifyNative,
      );
      await rejects(
        forged.sync(),
        (e) => e instanceof NoHonestAnswer && /is not in set/.test(e.message),
      );
    } catch (e) {
      console.error(node.output.split("\n").slice(-20).join("\n"));
      throw e;
    } finally {
      await light?.stop();
      await node.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
