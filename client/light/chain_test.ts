import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { blockHash, type Header } from "../../runtime/block/header.ts";
import { encode } from "../../runtime/codec/types.ts";
import { keypairFromUri, verifyNative } from "../../runtime/crypto/mod.ts";
import { EMPTY_TRIE_ROOT, MemoryNodeStore, Trie } from "../../runtime/trie/mod.ts";
import { orderedTrieRoot } from "../../runtime/trie/ordered_trie_root.ts";
import { LightClient, type LightTransport, NoHonestAnswer, TransactionRefused } from "./client.ts";
import { LightChain, UnprovableRead } from "./chain.ts";
import { LightTransactions } from "./transactions.ts";
import { signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import {
  bodyType,
  decodeLightRequest,
  finalityProofType,
  readProofType,
  type SubmitAnswer,
  submitAnswerType,
  warpProofType,
} from "./protocol.ts";

const key = (i: number) => new Uint8Array([7, i]);
const value = (i: number) => new Uint8Array(40).fill(i);
const body = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];

/** A block whose state holds keys 0..63 and whose body is {@link body}. */
function block(): { trie: Trie; header: Header } {
  const store = new MemoryNodeStore();
  const trie = new Trie(store);
  const entries: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < 64; i++) entries.push([key(i), value(i)]);
  const { root, nodes } = trie.commit(EMPTY_TRIE_ROOT, entries);
  store.insert(nodes);
  const header = {
    parentHash: new Uint8Array(32),
    number: 0,
    stateRoot: root,
    extrinsicsRoot: orderedTrieRoot(body),
    digest: [],
  };
  return { trie, header };
}

/** Peers answering from `trie` (a liar's body is forged); each read proof request is counted. */
function peers(
  trie: Trie,
  header: Header,
  options: { liar?: string; submit?: SubmitAnswer } = {},
): LightTransport & { reads: number; banned: string[] } {
  const transport = {
    reads: 0,
    banned: [] as string[],
    peers: () => [...(options.liar ? [options.liar] : []), "honest"],
    request: (peer: string, bytes: Uint8Array) => {
      const request = decodeLightRequest(bytes);
      switch (request.tag) {
        case "ReadProof":
          transport.reads++;
          return Promise.resolve(
            encode(readProofType, trie.prove(header.stateRoot, request.value.keys)),
          );
        case "Body":
          return Promise.resolve(encode(bodyType, peer === options.liar ? [body[0]] : body));
        case "WarpProof":
          return Promise.resolve(encode(warpProofType, { fragments: [], isFinished: true }));
        case "Finality":
          // Nothing above the checkpoint is justified yet.
          return Promise.resolve(encode(finalityProofType, undefined));
        case "Submit":
          return Promise.resolve(
            encode(
              submitAnswerType,
              options.submit ?? { tag: "Accepted", value: new Uint8Array(32) },
            ),
          );
        default:
          return Promise.reject(new Error("not served here"));
      }
    },
    ban: (peer: string) => void transport.banned.push(peer),
  };
  return transport;
}

function chainOver(transport: LightTransport, header: Header): LightChain {
  const set = { setId: 0n, authorities: [keypairFromUri("//Alice").publicKey] };
  return new LightChain(new LightClient({ header, set }, transport, verifyNative));
}

Deno.test("a client at the newest justified block is up to date: its sync succeeds without moving", async () => {
  const { trie, header } = block();
  const chain = chainOver(peers(trie, header), header);
  assertEquals(blockHash(await chain.start()), blockHash(header));
  chain.stop();
});

Deno.test("a run over proven state fetches what it missed and runs again, until nothing is missed", async () => {
  const { trie, header } = block();
  const transport = peers(trie, header);
  const chain = chainOver(transport, header);
  // Each read names the next key: three rounds of proofs, one key each.
  const chained = await chain.run(header, (state) => {
    const first = state.get(key(1))!;
    const second = state.get(key(first[0] + 1))!;
    return state.get(key(second[0] + 1));
  });
  assertEquals(chained, value(3));
  assertEquals(transport.reads, 3);
  assertEquals(chain.client.proofsVerified, 3);

  // Code that swallows the miss still gets a proof and its true result.
  const swallowed = await chain.run(header, (state) => {
    try {
      return state.get(key(9));
    } catch {
      return undefined;
    }
  });
  assertEquals(swallowed, value(9), "not the undefined the swallowed miss gave");

  // Proven absent is an answer, not a miss.
  assertEquals(await chain.storage(header, [new Uint8Array([8])]), [undefined]);
  await rejects(
    chain.run(header, (state) => [...state.entries(new Uint8Array([7]))]),
    UnprovableRead,
  );
});

Deno.test("attack: a body that does not hash to the header's extrinsics root bans its peer; the honest one is believed", async () => {
  const { trie, header } = block();
  const transport = peers(trie, header, { liar: "liar" });
  const chain = chainOver(transport, header);
  assertEquals(await chain.body(blockHash(header)), body);
  assertEquals(transport.banned, ["liar"]);
  ok(chain.client.bans.get("liar")?.includes("extrinsics root"));

  // With only the liar, there is no body to be had.
  const alone = peers(trie, header, { liar: "liar" });
  alone.peers = () => ["liar"];
  await rejects(chainOver(alone, header).body(blockHash(header)), NoHonestAnswer);
});

Deno.test("a transaction sent and not yet found in a finalized block holds its signer's nonce", async () => {
  const { trie, header } = block();
  const chain = chainOver(peers(trie, header), header);
  const transactions = new LightTransactions(chain);
  const alice = keypairFromUri("//Alice");
  const signed = (nonce: number) =>
    signExtrinsic(new Uint8Array([0, 0]), alice, { era: { kind: "immortal" }, nonce, tip: 0n }, {
      specVersion: 1,
      transactionVersion: 1,
      genesisHash: new Uint8Array(32),
      eraBlockHash: new Uint8Array(32),
    });
  assertEquals(transactions.nextNonce(alice.publicKey, 4), 4);
  await transactions.submit(signed(4));
  await transactions.submit(signed(5));
  assertEquals(transactions.nextNonce(alice.publicKey, 4), 6, "past the two in flight");
  assertEquals(transactions.nextNonce(new Uint8Array(32), 0), 0, "another account's own");
});

Deno.test("a transaction every node refuses fails with the pool's code and reason", async () => {
  const { trie, header } = block();
  const refused = peers(trie, header, {
    submit: {
      tag: "Refused",
      value: { code: 1010, message: "Invalid Transaction", data: "Stale" },
    },
  });
  const error = await chainOver(refused, header).client.submit(new Uint8Array([1])).then(
    () => undefined,
    (e) => e,
  );
  ok(error instanceof TransactionRefused);
  assertEquals([error.code, error.message, error.data], [1010, "Invalid Transaction", "Stale"]);
  const accepted = peers(trie, header);
  assertEquals(
    await chainOver(accepted, header).client.submit(new Uint8Array([1])),
    new Uint8Array(32),
  );
});
