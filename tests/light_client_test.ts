/**
 * A light client against a real dev node over libp2p: from the chain
 * spec's genesis it warps over the node's authority set changes (one each
 * era, eras of 10 blocks here), follows to the finalized head by the
 * node's justification, and reads Alice's account through a read proof
 * checked against that head's state root. Everything it believes it
 * checked: its finalized hash and Alice's balance equal what the node's
 * RPC says. A request past the protocol's bounds is refused.
 *
 * Then malicious full nodes are asked first, each telling one lie about an
 * honest answer (a forged signature, an outsider's votes, the set's own
 * votes signed for another set, no votes, a set
 * change its warp does not prove, a forged header, garbage, a wrong stored
 * value, a truncated proof, a forged call proof): each lie is caught and its
 * teller banned, and
 * the client ends where the honest node is.
 */
import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { loadChainSpec, specCheckpoint } from "../chain-spec/mod.ts";
import { blockHash, type Header } from "../runtime/block/header.ts";
import { decode, encode } from "../runtime/codec/types.ts";
import { keypairFromUri, verifyNative } from "../runtime/crypto/mod.ts";
import { localizedPayload, scheduledChangeLog } from "../runtime/consensus/grandpa.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { accountInfoType, systemStorage } from "../pallets/system/mod.ts";
import { Network } from "../node/network/mod.ts";
import { networkTransport } from "../node/light/transport.ts";
import { LightClient, type LightTransport } from "../client/light/client.ts";
import {
  callProofType,
  decodeLightRequest,
  encodeLightRequest,
  finalityProofType,
  MAX_PROOF_KEYS,
  readProofType,
  warpProofType,
} from "../client/light/protocol.ts";
import type { ProvenState } from "../client/light/state.ts";
import { LightChain } from "../client/light/chain.ts";
import { provenRuntime } from "../node/light/runtime.ts";
import { aliceNode, fastDevSpec, until } from "./_node.ts";
import { lightNetwork } from "./_light.ts";

const alice = keypairFromUri("//Alice").publicKey;
const aliceKey = systemStorage.Account.keyOf(alice);
const mallory = keypairFromUri("//Mallory");
/** The dev chain's one validator (its session key). */
const validator = keypairFromUri("//Alice");

/** A lie about an honest answer to a request of kind `on`: the same answer, made false. */
interface Lie {
  on: "WarpProof" | "Finality" | "ReadProof" | "CallProof";
  tell(honest: Uint8Array): Uint8Array;
}

/**
 * The lies a malicious full node tells, one per liar, in the order the
 * client meets them: those about warps, then finality, then state (each
 * request goes to the first peer not banned, and a liar tells the truth
 * about the rest).
 */
const LIES: Record<string, Lie> = {
  "forged-signature": {
    on: "WarpProof",
    tell: (honest) => {
      const proof = decode(warpProofType, honest);
      const precommit = proof.fragments[0].justification.commit.precommits[0];
      precommit.signature = precommit.signature.map((b, i) => i === 0 ? b ^ 1 : b);
      return encode(warpProofType, proof);
    },
  },
  "outsider-votes": {
    on: "WarpProof",
    tell: (honest) => {
      // Valid signatures, by a key outside the set, for the right round and set.
      const proof = decode(warpProofType, honest);
      const { justification } = proof.fragments[0];
      // Whichever set id they sign for, their key is checked against the set first.
      const setId = 0n;
      justification.commit.precommits = justification.commit.precommits.map((p) => ({
        precommit: p.precommit,
        id: mallory.publicKey,
        signature: mallory.sign(
          localizedPayload({ tag: "Precommit", value: p.precommit }, justification.round, setId),
        ),
      }));
      return encode(warpProofType, proof);
    },
  },
  "wrong-set": {
    on: "WarpProof",
    tell: (honest) => {
      // The set's own key signs, truly, the same votes, but for another set: a replay across sets.
      const proof = decode(warpProofType, honest);
      const { justification } = proof.fragments[0];
      justification.commit.precommits = justification.commit.precommits.map((p) => ({
        precommit: p.precommit,
        id: validator.publicKey,
        signature: validator.sign(
          localizedPayload({ tag: "Precommit", value: p.precommit }, justification.round, 99n),
        ),
      }));
      return encode(warpProofType, proof);
    },
  },
  "missing-signatures": {
    on: "WarpProof",
    tell: (honest) => {
      const proof = decode(warpProofType, honest);
      proof.fragments[0].justification.commit.precommits = [];
      return encode(warpProofType, proof);
    },
  },
  "fake-set-change": {
    on: "Finality",
    tell: (honest) => {
      // A set change the client would have to warp over, which its warp does not prove.
      const proof = decode(finalityProofType, honest)!;
      proof.headers[0].digest.push(scheduledChangeLog([mallory.publicKey]));
      return encode(finalityProofType, proof);
    },
  },
  "forged-header": {
    on: "Finality",
    tell: (honest) => {
      const proof = decode(finalityProofType, honest)!;
      proof.headers[0].stateRoot = new Uint8Array(32).fill(0xee);
      return encode(finalityProofType, proof);
    },
  },
  "garbage": {
    on: "Finality",
    tell: () => new Uint8Array([0xff, 0xff, 0xff]),
  },
  "wrong-storage": {
    on: "ReadProof",
    tell: (honest) => {
      // Alice's account leaf (the last node on her path) with another balance byte.
      const proof = decode(readProofType, honest);
      const last = proof.length - 1;
      proof[last] = proof[last].map((b, i) => i === proof[last].length - 1 ? b ^ 0x40 : b);
      return encode(readProofType, proof);
    },
  },
  "truncated-proof": {
    on: "ReadProof",
    tell: (honest) => encode(readProofType, decode(readProofType, honest).slice(1)),
  },
  "forged-call-proof": {
    on: "CallProof",
    tell: (honest) => {
      // The same keys, with the value node of the last one altered.
      const { keys, proof } = decode(callProofType, honest);
      const last = proof.length - 1;
      proof[last] = proof[last].map((b, i) => i === proof[last].length - 1 ? b ^ 0x01 : b);
      return encode(callProofType, { keys, proof });
    },
  },
};

/**
 * Full nodes that lie, one per {@link LIES}, asked before the honest one:
 * each gets the honest node's answer and tells its lie when asked what it
 * lies about (the truth otherwise). Bans are recorded in `banned`.
 */
class LiarsBefore implements LightTransport {
  constructor(
    readonly inner: LightTransport,
    readonly honest: string,
    readonly banned: Map<string, string>,
  ) {}

  peers(): string[] {
    return [...Object.keys(LIES), this.honest].filter((p) => !this.banned.has(p));
  }

  async request(peer: string, request: Uint8Array): Promise<Uint8Array> {
    const answer = await this.inner.request(this.honest, request);
    const lie = LIES[peer];
    return lie && decodeLightRequest(request).tag === lie.on ? lie.tell(answer) : answer;
  }

  ban(peer: string, reason: string): void {
    this.banned.set(peer, reason);
  }
}

Deno.test({
  name:
    "a light client warps over a dev node's set changes, follows finality and reads proven state",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "sutantra-light-" });
    const specPath = await fastDevSpec(dir, { eraLength: 10 });
    const node = aliceNode(specPath);
    let light: Network | undefined;
    try {
      await node.ready();
      const checkpoint = specCheckpoint(loadChainSpec(specPath));
      assertEquals(
        toHex(blockHash(checkpoint.header)),
        await node.rpc<string>("chain_getBlockHash", [0]),
        "the spec's genesis is the node's",
      );
      const agreesWithNode = async (at: Header) => {
        assertEquals(
          toHex(blockHash(at)),
          await node.rpc<string>("chain_getBlockHash", [at.number]),
          "the light client's finalized block is the node's",
        );
        ok(at.number <= await finalizedNumber());
      };
      const storedAlike = async (state: ProvenState, at: Header) => {
        const raw = await node.rpc<string>("state_getStorage", [
          toHex(aliceKey),
          toHex(blockHash(at)),
        ]);
        assertEquals(
          systemStorage.Account.get(state, alice),
          decode(accountInfoType, fromHex(raw)),
          "Alice's account, proven, is what the node stores",
        );
      };
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
      light = await lightNetwork(blockHash(checkpoint.header), [address]);
      const network = light;
      const honest = await until(
        "the light client to reach the node",
        () => network.peers()[0]?.peerId,
      );
      const transport = networkTransport(network);

      // An honest network: warp, follow, read.
      const client = new LightClient(checkpoint, transport, verifyNative);
      const at = await client.sync();
      ok(client.finality.set.setId >= checkpoint.set.setId + 2n, "warped over two set changes");
      await agreesWithNode(at);
      const state = await client.read([aliceKey]);
      await storedAlike(state, at);

      // A runtime call, run here over proven state: one call proof covers what it reads.
      const nodeNonce = async (at: Header) =>
        await node.rpc<string>("state_call", [
          "AccountNonceApi_account_nonce",
          toHex(alice),
          toHex(blockHash(at)),
        ]);
      const nonceOf = async (chain: LightChain, at: Header) =>
        toHex(
          await chain.call(
            at,
            "AccountNonceApi_account_nonce",
            alice,
            (state) => provenRuntime.call(state, at, "AccountNonceApi_account_nonce", alice),
          ),
        );
      const proofsBefore = client.proofsVerified;
      assertEquals(await nonceOf(new LightChain(client), at), await nodeNonce(at));
      assertEquals(
        client.proofsVerified,
        proofsBefore + 1,
        "one call proof, no read proofs after it",
      );
      await rejects(
        transport.request(
          honest,
          encodeLightRequest({
            tag: "ReadProof",
            value: { block: blockHash(at), keys: Array(MAX_PROOF_KEYS + 1).fill(aliceKey) },
          }),
        ),
        /at most 64 keys/,
        "a request past the protocol's bounds is refused",
      );

      // Liars first, the honest node last: each lie is caught, its teller banned.
      const banned = new Map<string, string>();
      const liars = new LiarsBefore(transport, honest, banned);
      const wary = new LightClient(checkpoint, liars, verifyNative);
      const wareAt = await wary.sync();
      await agreesWithNode(wareAt);
      await storedAlike(await wary.read([aliceKey]), wareAt);
      assertEquals(await nonceOf(new LightChain(wary), wareAt), await nodeNonce(wareAt));
      assertEquals([...banned.keys()].sort(), Object.keys(LIES).sort(), "every liar banned");
      ok(!banned.has(honest), "the honest node kept");
    } finally {
      await light?.stop();
      await node.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
