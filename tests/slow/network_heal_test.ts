/**
 * A network that heals, and an operator who can tell: the four local
 * validators as processes, started as the README starts them (each knows
 * only Alice, the bootnode), find each other, so that when Alice stops the
 * other three stay connected and go on finalizing (3 of 4 is more than two
 * thirds); `system_peers` tells their real role. A validator left alone says
 * so in WARN lines: no peers, and finality lagging.
 */
import { deepEqual, ok } from "node:assert/strict";
import { fastSpec, finalizedNumber, LocalValidators, type NodeProcess, until } from "../_node.ts";

const peerCount = async (node: NodeProcess) =>
  (await node.rpc<{ peers: number }>("system_health")).peers;

/** Runs `test` on the four validators (1 s slots) once each has the other three as peers. */
async function withConnectedValidators(test: (net: LocalValidators) => Promise<void>) {
  const bases = await Promise.all(
    LocalValidators.NAMES.map((n) => Deno.makeTempDir({ prefix: `sutantra-heal-${n}-` })),
  );
  const chain = await fastSpec(bases[0], { preset: "local", slotMs: 1000 });
  let net: LocalValidators | undefined;
  try {
    net = await LocalValidators.start(chain, bases);
    const started = Date.now();
    await until("every validator to have the other three as peers", async () => {
      const counts = await Promise.all(net!.up.map(peerCount));
      return counts.every((n) => n === 3) ? true : undefined;
    }, 60_000);
    console.log(`every validator had 3 peers ${Date.now() - started} ms after the last started`);
    await test(net);
  } catch (e) {
    if (net) console.error(await net.tails());
    throw e;
  } finally {
    await net?.stop();
    await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
  }
}

Deno.test({
  name: "the validators of a star around the bootnode stay connected and finalizing when it stops",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withConnectedValidators(async (net) => {
      const bobsPeers = await net.up[1].rpc<{ roles: string }[]>("system_peers");
      deepEqual(bobsPeers.map((p) => p.roles), ["AUTHORITY", "AUTHORITY", "AUTHORITY"]);
      await net.kill(0);
      const before = Math.max(...await Promise.all(net.up.map(finalizedNumber)));
      await until(`finality past #${before + 3} on Bob, Charlie and Dave`, async () => {
        const heights = await Promise.all(net.up.map(finalizedNumber));
        return heights.every((h) => h >= before + 3) ? true : undefined;
      }, 60_000);
      const counts = await Promise.all(net.up.map(peerCount));
      ok(counts.every((n) => n === 2), `peers after Alice stopped: ${counts}`);
    }),
});

Deno.test({
  name: "a validator left alone warns that it has no peers and that finality lags",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withConnectedValidators(async (net) => {
      for (const i of [0, 1, 2]) await net.kill(i);
      const dave = net.nodes[3]!;
      await until("Dave's warning that he has no peers", () =>
        dave.output.includes("WARN  ⚠️  No peers: this node lost its last peer") || undefined);
      // Dave authors one slot in four: 6 blocks past the finalized one take about 24 s (1 s slots).
      await until("Dave's warning that finality lags", () =>
        /WARN {2}⚠️ {2}Finality lags: finalized #\d+ is \d+ blocks behind/.test(dave.output) ||
        undefined, 60_000);
    }),
});
