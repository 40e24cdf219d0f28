/**
 * Discovery between processes: six nodes in a line, each started knowing only
 * the one before it, become well connected (every node has at least 3 peers
 * within 60 s), as the in-process test in node/network shows for the library.
 */
import { NodeProcess, until } from "../_node.ts";

Deno.test({
  name: "a line of 6 node processes, each knowing only the previous one, becomes well connected",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const nodes: NodeProcess[] = [];
    try {
      let previous: string[] = [];
      for (let i = 0; i < 6; i++) {
        const node = new NodeProcess([
          "--chain",
          "local",
          "--tmp",
          "--listen-addr",
          "/ip4/127.0.0.1/tcp/0",
          ...previous.flatMap((address) => ["--bootnodes", address]),
        ]);
        nodes.push(node);
        await node.ready();
        previous = [(await node.rpc<string[]>("system_localListenAddresses"))[0]];
      }
      const started = Date.now();
      await until("every node to have >= 3 peers", async () => {
        const health = await Promise.all(
          nodes.map((n) => n.rpc<{ peers: number }>("system_health")),
        );
        return health.every((h) => h.peers >= 3) ? true : undefined;
      }, 60_000);
      console.log(`every node had >= 3 peers ${Date.now() - started} ms after the last started`);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  },
});
