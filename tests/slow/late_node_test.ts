/**
 * A full node that joins late, after 300 blocks and several authority set
 * changes (an era every 50 blocks, 250 ms slots, four local validators),
 * syncs from genesis and finalizes through the stored justifications: each
 * set-change block carries its justification, checked by the set it ends.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { decodeJustification } from "../../runtime/consensus/grandpa.ts";
import { fromHex } from "../../runtime/primitives/hex.ts";
import {
  assertNoConflict,
  fastSpec,
  finalizedNumber,
  LocalValidators,
  NodeProcess,
  until,
} from "../_node.ts";

/** `Consensus` (4) ++ `FRNK`: the start of a GRANDPA log's SCALE. */
const GRANDPA_LOG = "0x0446524e4b";

Deno.test({
  name: "a node joining after 300 blocks and set changes finalizes through stored justifications",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const bases = await Promise.all(
      [...LocalValidators.NAMES, "eve"].map((n) =>
        Deno.makeTempDir({ prefix: `sutantra-late-${n}-` })
      ),
    );
    const chain = await fastSpec(bases[0], {
      preset: "local",
      slotMs: 250,
      staking: { eraLength: 50 },
    });
    let net: LocalValidators | undefined;
    let eve: NodeProcess | undefined;
    try {
      net = await LocalValidators.start(chain, bases);
      const alice = net.up[0];
      await until(
        "300 finalized blocks",
        async () => (await finalizedNumber(alice)) >= 300 || undefined,
        300_000,
      );

      // The set changed at era boundaries: those blocks carry the change and a justification.
      const changes: number[] = [];
      for (let n = 1; n <= 300; n++) {
        const hash = await alice.rpc<string>("chain_getBlockHash", [n]);
        const header = await alice.rpc<{ digest: { logs: string[] } }>("chain_getHeader", [hash]);
        if (header.digest.logs.some((log) => log.startsWith(GRANDPA_LOG))) changes.push(n);
      }
      ok(changes.length >= 3, `set changes at ${changes}`);

      eve = new NodeProcess([
        "--chain",
        chain,
        "--base-path",
        bases[4],
        "--listen-addr",
        "/ip4/127.0.0.1/tcp/0",
        ...net.bootnodes.flatMap((b) => ["--bootnodes", b]),
        "--name",
        "eve",
      ]);
      await eve.ready();
      const head = await finalizedNumber(alice);
      await until(
        "eve to finalize the head",
        async () => (await finalizedNumber(eve!)) >= head || undefined,
        180_000,
      );
      await assertNoConflict([...net.up, eve]);
      for (const n of changes) {
        const hash = await eve.rpc<string>("chain_getBlockHash", [n]);
        const block: { justifications: [number[], string][] | null } = await eve.rpc(
          "chain_getBlock",
          [hash],
        );
        const frnk = block.justifications?.find(([engine]) =>
          String.fromCharCode(...engine) === "FRNK"
        );
        ok(frnk, `eve holds the justification of set-change block #${n}`);
        assertEquals(decodeJustification(fromHex(frnk[1])).commit.targetNumber, n);
      }
    } catch (e) {
      if (net) console.error(await net.tails());
      if (eve) console.error(eve.output.split("\n").slice(-30).join("\n"));
      throw e;
    } finally {
      await eve?.stop();
      await net?.stop();
      await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
    }
  },
});
