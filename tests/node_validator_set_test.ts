/**
 * A validator-set change at an era boundary, handed over through a
 * finalized block: Bob bonds, sets his session key and declares himself a
 * validator with the client commands; at the next era he is elected, authors
 * blocks, and finality goes on only because he votes too (with two voters,
 * both must).
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { decode, t } from "../runtime/codec/types.ts";
import { keypairFromUri } from "../runtime/crypto/mod.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { authorshipStorage } from "../pallets/authorship/mod.ts";
import { cli, fastDevSpec, finalizedNumber, NodeProcess, until } from "./_node.ts";

const bobKey = keypairFromUri("//Bob");

async function authoritiesAt(node: NodeProcess, hash: string): Promise<string[]> {
  const raw = await node.rpc<string>("state_getStorage", [
    toHex(authorshipStorage.Authorities.key),
    hash,
  ]);
  return decode(t.vec(t.accountId), fromHex(raw)).map(toHex);
}

Deno.test({
  name: "a validator elected at an era boundary authors and votes after the hand-over",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const [baseA, baseB] = await Promise.all([
      Deno.makeTempDir({ prefix: "sutantra-set-a-" }),
      Deno.makeTempDir({ prefix: "sutantra-set-b-" }),
    ]);
    const chain = await fastDevSpec(baseA, { eraLength: 20 });
    const loopback = ["--listen-addr", "/ip4/127.0.0.1/tcp/0"];
    const alice = new NodeProcess(["--chain", chain, "--alice", "--base-path", baseA, ...loopback]);
    let bob: NodeProcess | undefined;
    try {
      await alice.ready();
      const boot = (await alice.rpc<string[]>("system_localListenAddresses"))[0];
      bob = new NodeProcess([
        "--chain",
        chain,
        "--bob",
        "--base-path",
        baseB,
        "--bootnodes",
        boot,
        ...loopback,
      ]);
      await bob.ready();

      const wait = ["--wait", "in-block"];
      for (
        const args of [
          ["tx", "bond", "--from", "//Bob//stash", "--amount", "200000"],
          ["tx", "set-keys", "--from", "//Bob//stash", "--key", "//Bob"],
          ["tx", "validate", "--from", "//Bob//stash"],
        ]
      ) {
        const result = await cli(alice, ...args, ...wait);
        assertEquals(result.code, 0, result.out);
      }

      // The next election makes Bob an authority; finality must cross to the new set.
      const handedOver = await until(
        "a finalized block with Bob in the authority set",
        async () => {
          const head = await alice.rpc<string>("chain_getFinalizedHead");
          const set = await authoritiesAt(alice, head);
          return set.includes(toHex(bobKey.publicKey)) ? head : undefined;
        },
        120_000,
      );
      ok(handedOver);
      const after = await finalizedNumber(alice);
      await until(
        "finality to advance with both voters",
        async () =>
          (await finalizedNumber(alice)) >= after + 5 && (await finalizedNumber(bob!)) >= after + 5
            ? true
            : undefined,
        120_000,
      );
      assertEquals(
        await bob.rpc("chain_getBlockHash", [after + 5]),
        await alice.rpc("chain_getBlockHash", [after + 5]),
      );
      ok(/Prepared block/.test(bob.output), "Bob authored blocks in his slots");
    } catch (e) {
      console.error(alice.output.split("\n").slice(-15).join("\n"));
      console.error(bob?.output.split("\n").slice(-15).join("\n"));
      throw e;
    } finally {
      await bob?.stop();
      await alice.stop();
      await Deno.remove(baseA, { recursive: true });
      await Deno.remove(baseB, { recursive: true });
    }
  },
});
