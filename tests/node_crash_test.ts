/**
 * SIGKILL during block import, again and again: a full node syncing a long
 * chain (a dev chain with 200 ms slots) is killed while it imports and
 * restarted on the same base path; its finalized head never goes back, and in
 * the end it holds the same finalized blocks and state roots as the validator.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { fastDevSpec, finalizedNumber, NodeProcess, until } from "./_node.ts";

const BLOCKS = 150;

Deno.test({
  name: "a syncing node killed with SIGKILL during import resumes to the same finalized blocks",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const [baseA, baseB] = await Promise.all([
      Deno.makeTempDir({ prefix: "sutantra-crash-a-" }),
      Deno.makeTempDir({ prefix: "sutantra-crash-b-" }),
    ]);
    const loopback = ["--listen-addr", "/ip4/127.0.0.1/tcp/0"];
    const chain = await fastDevSpec(baseA);
    const validator = new NodeProcess([
      "--chain",
      chain,
      "--alice",
      "--base-path",
      baseA,
      ...loopback,
    ]);
    let follower: NodeProcess | undefined;
    try {
      await validator.ready();
      await until(
        `${BLOCKS} finalized blocks`,
        async () => (await finalizedNumber(validator)) >= BLOCKS ? true : undefined,
        120_000,
      );
      const boot = (await validator.rpc<string[]>("system_localListenAddresses"))[0];
      const startFollower = () =>
        new NodeProcess(["--chain", chain, "--base-path", baseB, "--bootnodes", boot, ...loopback]);
      let last = 0;
      for (let round = 0; round < 4; round++) {
        follower = startFollower();
        await follower.ready();
        const here = await finalizedNumber(follower);
        ok(here >= last, `finalized went back from #${last} to #${here}`);
        // Let it import for a moment, then kill it wherever it is.
        await until(
          "some progress",
          async () => (await finalizedNumber(follower!)) > here ? true : undefined,
          60_000,
        );
        last = await finalizedNumber(follower);
        await follower.stop("SIGKILL");
        follower = undefined;
      }
      follower = startFollower();
      await follower.ready();
      await until(
        "the follower to finalize what the validator had",
        async () => (await finalizedNumber(follower!)) >= BLOCKS ? true : undefined,
        120_000,
      );
      const hash = await validator.rpc<string>("chain_getBlockHash", [BLOCKS]);
      assertEquals(await follower.rpc("chain_getBlockHash", [BLOCKS]), hash);
      const [a, b] = await Promise.all(
        [validator, follower].map((n) => n.rpc<{ stateRoot: string }>("chain_getHeader", [hash])),
      );
      assertEquals(b.stateRoot, a.stateRoot);
    } catch (e) {
      console.error(follower?.output.split("\n").slice(-25).join("\n"));
      throw e;
    } finally {
      await follower?.stop();
      await validator.stop();
      await Deno.remove(baseA, { recursive: true });
      await Deno.remove(baseB, { recursive: true });
    }
  },
});
