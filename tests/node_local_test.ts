/**
 * The local chain as real processes on 127.0.0.1: four validators finalize
 * together; with one of them killed finality still advances; restarted, it
 * catches up; a fifth node started later syncs from genesis to the
 * finalized head. No two nodes ever finalize different blocks at a height.
 */
import { assertNoConflict, finalizedNumber, NodeProcess, until } from "./_node.ts";

const LOOPBACK = ["--listen-addr", "/ip4/127.0.0.1/tcp/0"];

Deno.test({
  name: "local chain: four validators finalize, survive one down, and a late node syncs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const bases = await Promise.all(
      ["alice", "bob", "charlie", "dave", "eve"].map((n) =>
        Deno.makeTempDir({ prefix: `sutantra-${n}-` })
      ),
    );
    const start = (name: string, base: string, bootnodes: string[], extra: string[] = []) =>
      new NodeProcess([
        "--chain",
        "local",
        ...extra,
        "--base-path",
        base,
        ...LOOPBACK,
        ...bootnodes.flatMap((b) => ["--bootnodes", b]),
        "--name",
        name,
      ]);
    const nodes: NodeProcess[] = [];
    try {
      const alice = start("alice", bases[0], [], ["--alice"]);
      nodes.push(alice);
      await alice.ready();
      const boot = (await alice.rpc<string[]>("system_localListenAddresses"))[0];
      for (const [i, name] of ["bob", "charlie", "dave"].entries()) {
        nodes.push(start(name, bases[i + 1], [boot], [`--${name}`]));
      }
      await Promise.all(nodes.map((n) => n.ready()));
      await until("finality to reach #3 on every validator", async () => {
        const heights = await Promise.all(nodes.map(finalizedNumber));
        return heights.every((h) => h >= 3) ? true : undefined;
      }, 90_000);

      // Dave goes down: three of four still finalize.
      const dave = nodes.pop()!;
      await dave.stop("SIGKILL");
      const before = await finalizedNumber(nodes[0]);
      await until(
        "finality to advance without dave",
        async () => (await finalizedNumber(nodes[0])) >= before + 2 ? true : undefined,
        90_000,
      );

      // Dave comes back and catches up.
      const daveAgain = start("dave", bases[3], [boot], ["--dave"]);
      nodes.push(daveAgain);
      await daveAgain.ready();
      const target = await finalizedNumber(nodes[0]);
      await until(
        "dave to catch up",
        async () => (await finalizedNumber(daveAgain)) >= target ? true : undefined,
        90_000,
      );

      // Eve, a full node started late, syncs from genesis to the finalized head.
      const eve = start("eve", bases[4], [boot]);
      nodes.push(eve);
      await eve.ready();
      const head = await finalizedNumber(nodes[0]);
      await until(
        "eve to sync to the finalized head",
        async () => (await finalizedNumber(eve)) >= head ? true : undefined,
        90_000,
      );
      await assertNoConflict(nodes);
    } catch (e) {
      for (const node of nodes) console.error(node.output.split("\n").slice(-15).join("\n"));
      throw e;
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await Promise.all(bases.map((b) => Deno.remove(b, { recursive: true })));
    }
  },
});
