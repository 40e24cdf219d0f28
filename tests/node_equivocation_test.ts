/**
 * A validator made to equivocate (the test-only `--unsafe-equivocate`
 * switch, with its guard `--i-know-this-slashes-me`: two different blocks in
 * each of its slots) is reported by the others, and staking records the
 * offence and disables it; no two nodes ever finalize different blocks.
 */
import { ok } from "node:assert/strict";
import { toHex } from "../runtime/primitives/hex.ts";
import { storagePrefix } from "../client/metadata.ts";
import { runtime } from "../runtime/mod.ts";
import { assertNoConflict, finalizedNumber, NodeProcess, until } from "./_node.ts";

Deno.test({
  name: "an equivocating validator is reported and slashed, and finality stays consistent",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const names = ["alice", "bob", "charlie", "dave"];
    const bases = await Promise.all(
      names.map((n) => Deno.makeTempDir({ prefix: `sutantra-eq-${n}-` })),
    );
    const nodes: NodeProcess[] = [];
    const start = (i: number, bootnodes: string[], extra: string[] = []) =>
      new NodeProcess([
        "--chain",
        "local",
        `--${names[i]}`,
        "--base-path",
        bases[i],
        "--listen-addr",
        "/ip4/127.0.0.1/tcp/0",
        ...bootnodes.flatMap((b) => ["--bootnodes", b]),
        ...extra,
      ]);
    try {
      nodes.push(start(0, []));
      await nodes[0].ready();
      const boot = (await nodes[0].rpc<string[]>("system_localListenAddresses"))[0];
      nodes.push(
        start(1, [boot]),
        start(2, [boot]),
        start(3, [boot], ["--unsafe-equivocate", "--i-know-this-slashes-me"]),
      );
      await Promise.all(nodes.map((n) => n.ready()));

      const metadata = runtime.metadata();
      const offences = toHex(storagePrefix(metadata, "Staking", "Offences"));
      const disabled = toHex(storagePrefix(metadata, "Staking", "Disabled"));
      await until("an offence on chain", async () => {
        const keys = await nodes[0].rpc<string[]>("state_getKeysPaged", [offences, 10]);
        return keys.length > 0 ? keys : undefined;
      }, 120_000);
      const disabledKeys = await nodes[0].rpc<string[]>("state_getKeysPaged", [disabled, 10]);
      ok(disabledKeys.length === 1, "the equivocating validator is disabled");

      const before = await finalizedNumber(nodes[0]);
      await until(
        "finality to go on",
        async () => (await finalizedNumber(nodes[0])) > before ? true : undefined,
        90_000,
      );
      await assertNoConflict(nodes);
    } catch (e) {
      for (const node of nodes) console.error(node.output.split("\n").slice(-12).join("\n"));
      throw e;
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
    }
  },
});
