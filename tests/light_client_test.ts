/**
 * A light client against a real dev node over libp2p: from the chain
 * spec's genesis it warps over the node's authority set changes (one each
 * era, eras of 10 blocks here), follows to the finalized head by the
 * node's justification, and reads Alice's account through a read proof
 * checked against that head's state root. Everything it believes it
 * checked: its finalized hash and Alice's balance equal what the node's
 * RPC says. A request past the protocol's bounds is refused.
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { loadChainSpec, specGenesis } from "../chain-spec/mod.ts";
import { blockHash } from "../runtime/block/header.ts";
import { decode } from "../runtime/codec/types.ts";
import { keypairFromUri, verifyNative } from "../runtime/crypto/mod.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { MemoryNodeStore } from "../runtime/trie/mod.ts";
import { createExecutive } from "../runtime/mod.ts";
import { authorities, authoritySetId } from "../pallets/authorship/mod.ts";
import { accountInfoType, systemStorage } from "../pallets/system/mod.ts";
import { Network } from "../node/network/mod.ts";
import { LIGHT_PROTOCOL } from "../node/sync/mod.ts";
import { LightFinality } from "../light/finality.ts";
import {
  encodeLightRequest,
  finalityProofType,
  MAX_PROOF_KEYS,
  readProofType,
  warpProofType,
} from "../light/protocol.ts";
import { ProvenState } from "../light/state.ts";
import { fastDevSpec, NodeProcess, until } from "./_node.ts";

/** Where the light client starts: the spec's genesis header and authority set. */
function genesisCheckpoint(specPath: string) {
  const store = new MemoryNodeStore();
  const executive = createExecutive(store);
  const sealed = specGenesis(loadChainSpec(specPath), executive);
  store.insert(sealed.nodes);
  const state = executive.stateAt(sealed.header.stateRoot);
  return {
    header: sealed.header,
    set: { setId: authoritySetId(state), authorities: authorities(state) },
  };
}

Deno.test({
  name:
    "a light client warps over a dev node's set changes, follows finality and reads proven state",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-light-" });
    const specPath = await fastDevSpec(dir, { eraLength: 10 });
    const node = new NodeProcess([
      "--chain",
      specPath,
      "--alice",
      "--tmp",
      "--listen-addr",
      "/ip4/127.0.0.1/tcp/0",
    ]);
    let light: Network | undefined;
    try {
      await node.ready();
      const checkpoint = genesisCheckpoint(specPath);
      assertEquals(
        toHex(blockHash(checkpoint.header)),
        await node.rpc<string>("chain_getBlockHash", [0]),
        "the spec's genesis is the node's",
      );
      const finalizedNumber = async () =>
        Number(
          (await node.rpc<{ number: string }>("chain_getHeader", [
            await node.rpc<string>("chain_getFinalizedHead"),
          ])).number,
        );
      await until(
        "three eras finalized",
        async () => await finalizedNumber() >= 32 || undefined,
        60_000,
      );

      const [address] = await node.rpc<string[]>("system_localListenAddresses");
      light = await Network.start({
        genesisHash: blockHash(checkpoint.header),
        privateKey: await generateKeyPair("Ed25519"),
        listen: ["/ip4/127.0.0.1/tcp/0"],
        bootnodes: [address],
        roles: "light",
      });
      const network = light;
      const peer = await until(
        "the light client to reach the node",
        () => network.peers()[0]?.peerId,
      );
      const ask = (request: Parameters<typeof encodeLightRequest>[0]) =>
        network.request(peer, LIGHT_PROTOCOL, encodeLightRequest(request));

      const finality = new LightFinality(checkpoint, verifyNative);
      for (let finished = false; !finished;) {
        const proof = decode(
          warpProofType,
          await ask({ tag: "WarpProof", value: { fromSetId: finality.set.setId } }),
        );
        finality.warp(proof.fragments);
        finished = proof.isFinished;
      }
      ok(
        finality.set.setId >= checkpoint.set.setId + 2n,
        `warped over ${finality.set.setId} changes`,
      );
      const { headers, justification } = decode(
        finalityProofType,
        await ask({ tag: "Finality", value: { fromNumber: finality.finalized.number } }),
      );
      finality.follow(headers, justification);
      const at = finality.finalized;
      assertEquals(
        toHex(blockHash(at)),
        await node.rpc<string>("chain_getBlockHash", [at.number]),
        "the light client's finalized block is the node's",
      );
      ok(at.number <= await finalizedNumber());

      const alice = systemStorage.Account.keyOf(keypairFromUri("//Alice").publicKey);
      const state = new ProvenState(at);
      state.add(
        decode(
          readProofType,
          await ask({ tag: "ReadProof", value: { block: blockHash(at), keys: [alice] } }),
        ),
        [alice],
      );
      const raw = await node.rpc<string>("state_getStorage", [toHex(alice), toHex(blockHash(at))]);
      assertEquals(
        systemStorage.Account.get(state, keypairFromUri("//Alice").publicKey),
        decode(accountInfoType, fromHex(raw)),
        "Alice's account, proven, is what the node stores",
      );

      const tooMany = Array.from({ length: MAX_PROOF_KEYS + 1 }, () => alice);
      await rejects(
        ask({ tag: "ReadProof", value: { block: blockHash(at), keys: tooMany } }),
        /at most 64 keys/,
      );
    } finally {
      await light?.stop();
      await node.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
