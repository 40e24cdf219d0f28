/**
 * The browser's light transport (`client/light/libp2p_transport.ts`: libp2p
 * over WebSockets, noise and yamux only), run in Deno against a real dev
 * node that listens on tcp and on WebSockets: the light client dials the
 * node's `/ws` address, passes its handshake (the node lists it as a light
 * peer), warps over the node's set changes from the spec's genesis, follows
 * to its finalized head and reads Alice's account as the node stores it.
 *
 * A peer of another chain met at a bootnode address is banned at the
 * handshake; a peer the client bans is hung up on and not dialled again
 * while the node finalizes more blocks.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { loadChainSpec, specCheckpoint } from "../chain-spec/mod.ts";
import { blockHash } from "../runtime/block/header.ts";
import { decode } from "../runtime/codec/types.ts";
import { keypairFromUri, verifyNative } from "../runtime/crypto/mod.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { accountInfoType, systemStorage } from "../pallets/system/mod.ts";
import { Network } from "../node/network/mod.ts";
import { LightClient } from "../client/light/client.ts";
import { Libp2pTransport } from "../client/light/libp2p_transport.ts";
import { aliceNode, fastDevSpec, finalizedNumber, until } from "./_node.ts";

const alice = keypairFromUri("//Alice").publicKey;

Deno.test({
  name:
    "a light client over WebSockets warps, follows and reads proven state from a dev node's /ws address",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-light-ws-" });
    const specPath = await fastDevSpec(dir, { eraLength: 10 });
    const node = aliceNode(specPath, "/ip4/127.0.0.1/tcp/0/ws");
    let stranger: Network | undefined;
    let transport: Libp2pTransport | undefined;
    try {
      await node.ready();
      const checkpoint = specCheckpoint(loadChainSpec(specPath));
      const genesisHash = blockHash(checkpoint.header);
      const addresses = await node.rpc<string[]>("system_localListenAddresses");
      const ws = addresses.filter((a) => /\/tcp\/\d+\/ws\/p2p\//.test(a));
      assertEquals(ws.length, 1, `one /ws address among ${addresses}`);
      ok(addresses.some((a) => /\/tcp\/\d+\/p2p\//.test(a)), "and a tcp one");
      await until(
        "three eras finalized",
        async () => await finalizedNumber(node) >= 32 || undefined,
        60_000,
      );

      // A node of another chain, on WebSockets too, listed first.
      stranger = await Network.start({
        genesisHash: new Uint8Array(32).fill(9),
        privateKey: await generateKeyPair("Ed25519"),
        listen: ["/ip4/127.0.0.1/tcp/0/ws"],
        bootnodes: [],
      });
      const light = transport = await Libp2pTransport.start({
        genesisHash,
        bootnodes: [...stranger.listenAddresses(), ...ws],
        name: "browser",
        redial: { minMs: 50, maxMs: 200 },
      });
      const honest = await until("the handshake with the node", () => light.peers()[0]);
      assertEquals(light.peers(), [honest], "only the node of this chain is asked");
      await until("the stranger banned", () => light.bans.get(stranger!.peerId));
      ok(/another chain/.test(light.bans.get(stranger.peerId)!));
      const seen = await until(
        "the node to list the light client",
        async () =>
          (await node.rpc<{ peerId: string; roles: string }[]>("system_peers"))
            .find((p) => p.peerId === light.peerId),
      );
      assertEquals(seen.roles, "LIGHT");

      const client = new LightClient(checkpoint, light, verifyNative);
      const at = await client.sync();
      ok(client.finality.set.setId >= checkpoint.set.setId + 2n, "warped over two set changes");
      assertEquals(
        toHex(blockHash(at)),
        await node.rpc<string>("chain_getBlockHash", [at.number]),
        "the light client's finalized block is the node's",
      );
      const state = await client.read([systemStorage.Account.keyOf(alice)]);
      const raw = await node.rpc<string>("state_getStorage", [
        toHex(systemStorage.Account.keyOf(alice)),
        toHex(blockHash(at)),
      ]);
      assertEquals(
        systemStorage.Account.get(state, alice),
        decode(accountInfoType, fromHex(raw)),
        "Alice's account, proven over WebSockets, is what the node stores",
      );

      // Banned: hung up on, and not dialled again (its backoff is 50 ms) while the node
      // finalizes three more blocks.
      light.ban(honest, "a test's ban");
      assertEquals(light.peers(), []);
      const listed = async () =>
        (await node.rpc<{ peerId: string }[]>("system_peers")).some((p) =>
          p.peerId === light.peerId
        );
      await until("the node to drop the light client", async () => !(await listed()) || undefined);
      const from = await finalizedNumber(node);
      let back = false;
      await until("three more finalized blocks", async () => {
        back ||= await listed();
        return await finalizedNumber(node) >= from + 3 || undefined;
      });
      ok(!back, "the banned node was dialled again");
      assertEquals(light.peers(), []);
    } finally {
      await transport?.stop();
      await stranger?.stop();
      await node.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
