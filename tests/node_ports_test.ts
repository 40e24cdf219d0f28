/**
 * A port already in use stops the node with a line that names the flag and
 * the port, so that an operator running a second node on one machine knows
 * what to change.
 */
import { ok } from "node:assert/strict";
import { freePort, NodeProcess, until } from "./_node.ts";

const cases: {
  flag: string;
  args: (port: number) => string[];
  rpcPort?: (port: number) => number;
}[] = [
  { flag: "--port", args: (port) => ["--port", String(port)] },
  { flag: "--rpc-port", args: () => [], rpcPort: (port) => port },
  { flag: "--prometheus-port", args: (port) => ["--prometheus-port", String(port)] },
];

for (const { flag, args, rpcPort } of cases) {
  Deno.test(`a ${flag} already in use is named in the error`, async () => {
    const port = freePort();
    const taken = Deno.listen({ hostname: "127.0.0.1", port });
    const node = new NodeProcess(["--chain", "dev", "--tmp", ...args(port)], rpcPort?.(port));
    try {
      const status = await until("the node to exit", async () => {
        const exited = await Promise.race([node.status, new Promise((r) => setTimeout(r, 100))]);
        return exited as Deno.CommandStatus | undefined;
      }, 60_000);
      ok(!status.success, "the node fails to start");
      ok(node.output.includes(`Error: ${flag} ${port} is in use`), node.output);
    } finally {
      taken.close();
      await node.stop();
    }
  });
}
