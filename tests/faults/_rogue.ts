/**
 * A misbehaving peer, in the test's own process: a real libp2p host of the
 * node's network layer that passes the genesis handshake and then does one
 * thing wrong, over and over: gossips garbage, sends request frames over
 * the size limit, gossips forged blocks or forged votes, or floods peers
 * with block requests.
 *
 * @module
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { keypairFromSeed, keypairFromUri } from "../../runtime/crypto/mod.ts";
import { localizedPayload } from "../../runtime/consensus/grandpa.ts";
import { fromHex, toHexRaw } from "../../runtime/primitives/hex.ts";
import { encodeVote, voteMessage } from "../../node/consensus/finality/messages.ts";
import { GRANDPA_TOPIC } from "../../node/consensus/finality/mod.ts";
import { Network } from "../../node/network/mod.ts";
import { encodeBlockData, SYNC_PROTOCOL } from "../../node/sync/mod.ts";
import { encodeBlockRequest } from "../../node/sync/messages.ts";
import type { NodeProcess } from "../_node.ts";

/** The ways a rogue peer misbehaves. */
export const MISBEHAVIOURS = [
  "garbage",
  "oversized frames",
  "forged blocks",
  "forged votes",
  "block request flood",
] as const;

/** One way of misbehaving. */
export type Misbehaviour = typeof MISBEHAVIOURS[number];

/** Over the 1 MiB a node reads of one request. */
const OVERSIZED_BYTES = 2 << 20;
/** Block requests sent at once to each peer per round of flooding. */
const FLOOD_BURST = 50;

const alice = keypairFromUri("//Alice");
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A peer that misbehaves one way; create its identity first, start it once the chain runs. */
export class RoguePeer {
  readonly misbehaviour: Misbehaviour;
  readonly #key: PrivateKey;
  readonly #listener: Deno.TcpListener;
  #network?: Network;

  private constructor(misbehaviour: Misbehaviour, key: PrivateKey) {
    this.misbehaviour = misbehaviour;
    this.#key = key;
    // Held until start, so that the address honest nodes reserve stays this peer's.
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  }

  /** A rogue with a fresh identity and port; it does not run yet. */
  static async create(misbehaviour: Misbehaviour): Promise<RoguePeer> {
    return new RoguePeer(misbehaviour, await generateKeyPair("Ed25519"));
  }

  /** Its peer id. */
  get peerId(): string {
    return peerIdFromPrivateKey(this.#key).toString();
  }

  /** Where honest nodes reach it (`/p2p/` included). */
  get address(): string {
    return `/ip4/127.0.0.1/tcp/${(this.#listener.addr as Deno.NetAddr).port}/p2p/${this.peerId}`;
  }

  /** Starts its host on chain `genesisHash` and dials `peers` (multiaddrs), redialling each second. */
  async start(genesisHash: Uint8Array, peers: string[]): Promise<void> {
    const listen = this.address.replace(/\/p2p\/.*$/, "");
    this.#listener.close();
    this.#network = await Network.start({
      genesisHash,
      privateKey: this.#key,
      listen: [listen],
      bootnodes: peers,
      redial: { minMs: 100, maxMs: 1_000 },
      // Lets it send what honest nodes must refuse to read.
      maxRequestBytes: 2 * OVERSIZED_BYTES,
      requestTimeoutMs: 5_000,
    });
  }

  /** Whether it holds a connection to `peerId` that passed the handshake. */
  connectedTo(peerId: string): boolean {
    return this.#network?.peer(peerId) !== undefined;
  }

  /** Misbehaves once towards every peer it is connected to; `honest` tells it the chain's state. */
  async misbehave(honest: NodeProcess): Promise<void> {
    const network = this.#network!;
    const peers = network.peers().map((p) => p.peerId);
    const ignore = () => {};
    switch (this.misbehaviour) {
      case "garbage":
        await network.publish(GRANDPA_TOPIC, random(100)).catch(ignore);
        await network.publish("blocks", random(100)).catch(ignore);
        return;
      case "oversized frames":
        await Promise.all(
          peers.map((p) =>
            network.request(p, SYNC_PROTOCOL, new Uint8Array(OVERSIZED_BYTES).fill(0xab)).catch(
              ignore,
            )
          ),
        );
        return;
      case "forged blocks": {
        // On top of the real best block, with made-up roots and no seal.
        const best = await bestBlock(honest);
        const header = {
          parentHash: fromHex(best.hash),
          number: best.number + 1,
          stateRoot: random(32),
          extrinsicsRoot: random(32),
          digest: [],
        };
        const block = encodeBlockData({ header, extrinsics: [], justification: undefined });
        await network.publish("blocks", block).catch(ignore);
        return;
      }
      case "forged votes": {
        // A prevote in Alice's name for the real best block, signed by a key that is not hers.
        const state = await honest.rpc<{ setId: number; best: { round: number } }>(
          "grandpa_roundState",
        );
        const best = await bestBlock(honest);
        const target = { hash: toHexRaw(fromHex(best.hash)), number: best.number };
        const { setId, best: { round } } = state;
        const payload = localizedPayload(
          voteMessage("prevote", target),
          BigInt(round),
          BigInt(setId),
        );
        const vote = encodeVote(setId, round, {
          stage: "prevote",
          target,
          voter: toHexRaw(alice.publicKey),
          signature: keypairFromSeed(random(32)).sign(payload),
        });
        await network.publish(GRANDPA_TOPIC, vote).catch(ignore);
        return;
      }
      case "block request flood": {
        const request = encodeBlockRequest({
          from: { tag: "Number", value: 1 },
          direction: { tag: "Ascending" },
          max: 128,
        });
        await Promise.all(peers.flatMap((p) =>
          Array.from(
            { length: FLOOD_BURST },
            () => network.request(p, SYNC_PROTOCOL, request).catch(ignore),
          )
        ));
        return;
      }
    }
  }

  /** Stops its host (or frees its port if it never started). */
  async stop(): Promise<void> {
    if (this.#network) await this.#network.stop();
    else this.#listener.close();
  }
}

/** The best block of `node`: its hash (0x hex) and number. */
async function bestBlock(node: NodeProcess): Promise<{ hash: string; number: number }> {
  const hash = await node.rpc<string>("chain_getBlockHash", []);
  const header = await node.rpc<{ number: string }>("chain_getHeader", [hash]);
  return { hash, number: parseInt(header.number, 16) };
}
