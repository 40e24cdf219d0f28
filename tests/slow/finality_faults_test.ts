/**
 * Finality under faults, with four local validators as real processes on
 * 127.0.0.1 (1 s slots): each validator in turn is SIGKILLed at a random
 * moment and restarted, twelve times, and finality resumes after each; two
 * of four down halt finality while blocks go on, and both back make it
 * resume and catch up. Every node agrees on every finalized hash.
 *
 * The moments are drawn from a fixed seed; tight bounds on how long
 * finality stalls are the `node.finality` benchmark's, not these tests'.
 */
import { ok } from "node:assert/strict";
import { Random } from "../../node/consensus/finality/sim/random.ts";
import {
  assertNoConflict,
  fastSpec,
  finalizedNumber,
  LocalValidators,
  type NodeProcess,
  until,
} from "../_node.ts";

const SEED = 9;
const RESUME_MS = 120_000;

async function bestNumber(node: NodeProcess): Promise<number> {
  const header = await node.rpc<{ number: string }>("chain_getHeader");
  return parseInt(header.number, 16);
}

/** Waits until every validator that is up has finalized block `number` or above. */
function allFinalize(net: LocalValidators, number: number, what: string): Promise<true> {
  return until(what, async () => {
    const heights = await Promise.all(net.up.map(finalizedNumber));
    return heights.every((h) => h >= number) ? true : undefined;
  }, RESUME_MS);
}

async function withValidators(test: (net: LocalValidators) => Promise<void>): Promise<void> {
  const bases = await Promise.all(
    LocalValidators.NAMES.map((n) => Deno.makeTempDir({ prefix: `sutantra-faults-${n}-` })),
  );
  const chain = await fastSpec(bases[0], { preset: "local", slotMs: 1000 });
  let net: LocalValidators | undefined;
  try {
    net = await LocalValidators.start(chain, bases);
    await allFinalize(net, 3, "finality to reach #3 on every validator");
    await test(net);
    await assertNoConflict(net.up);
  } catch (e) {
    if (net) console.error(await net.tails());
    throw e;
  } finally {
    await net?.stop();
    await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "twelve SIGKILLs at random moments, each validator in turn: finality resumes after each",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withValidators(async (net) => {
      const random = new Random(SEED);
      for (let restart = 1; restart <= 12; restart++) {
        const victim = (restart - 1) % 4;
        await sleep(random.int(0, 3000));
        const before = Math.max(...await Promise.all(net.up.map(finalizedNumber)));
        await net.kill(victim);
        await sleep(random.int(200, 3000));
        await net.restart(victim);
        await allFinalize(
          net,
          before + 2,
          `finality past #${before + 2} on every validator after restart ${restart} (${
            LocalValidators.NAMES[victim]
          })`,
        );
      }
    }),
});

Deno.test({
  name: "two of four validators down halt finality while blocks go on; back, finality catches up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withValidators(async (net) => {
      await Promise.all([net.kill(2), net.kill(3)]);
      const [alice, bob] = net.up;
      // A finalization in flight when they went down may still land: wait for it to settle.
      let halted = await finalizedNumber(alice);
      await until("finality to settle", async () => {
        const now = await finalizedNumber(alice);
        const settled = now === halted;
        halted = now;
        await sleep(3000);
        return settled ? true : undefined;
      }, RESUME_MS);
      const best = await bestNumber(alice);
      await until("five more blocks", async () => (await bestNumber(bob)) >= best + 5 || undefined);
      ok(await finalizedNumber(alice) === halted, "two of four finalized a block");
      ok(await finalizedNumber(bob) === halted, "two of four finalized a block");

      await Promise.all([net.restart(2), net.restart(3)]);
      const madeDuringHalt = await bestNumber(alice);
      await allFinalize(net, madeDuringHalt, `finality past #${madeDuringHalt} on all four`);
    }),
});
