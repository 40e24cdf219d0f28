/**
 * The README's "Run a network" commands, run as written but for their ports
 * and base paths (free ones, so that the test can run beside anything): the
 * four validators connect to each other, finalize, and when Alice is stopped
 * with Ctrl-C the other three go on finalizing.
 */
import { deepEqual, ok } from "node:assert/strict";
import { finalizedNumber, freePort, NodeProcess, until } from "../_node.ts";

/** The `deno task node` command lines of the README's "Run a network" block, as argument lists. */
async function readmeCommands(): Promise<string[][]> {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Run a network"));
  const start = section.indexOf("```sh\n") + "```sh\n".length;
  const block = section.slice(start, section.indexOf("\n```", start));
  return block.replaceAll("\\\n", " ").split("\n")
    .filter((line) => line.startsWith("deno task node "))
    .map((line) => line.slice("deno task node ".length).trim().split(/\s+/));
}

/** `args` with every port swapped for a free one (the same one wherever it recurs) and base paths moved. */
function relocate(args: string[], ports: Map<string, number>, baseDir: string): string[] {
  const free = (port: string) => {
    if (!ports.has(port)) ports.set(port, freePort());
    return String(ports.get(port));
  };
  return args.map((arg, i) => {
    if (["--port", "--rpc-port", "--prometheus-port"].includes(args[i - 1])) return free(arg);
    if (args[i - 1] === "--base-path") return `${baseDir}/${arg.split("/").at(-1)}`;
    return arg.replace(/\/tcp\/(\d+)\//, (_, port) => `/tcp/${free(port)}/`);
  });
}

Deno.test({
  name: "the README's four validators connect, finalize, and go on finalizing when Alice stops",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const commands = await readmeCommands();
    deepEqual(commands.length, 4, "four validators");
    const baseDir = await Deno.makeTempDir({ prefix: "sutantra-readme-" });
    const ports = new Map<string, number>();
    const nodes: NodeProcess[] = [];
    try {
      for (const command of commands) {
        const args = relocate(command, ports, baseDir);
        const rpcPort = Number(args[args.indexOf("--rpc-port") + 1]);
        nodes.push(new NodeProcess(args, rpcPort));
      }
      await Promise.all(nodes.map((n) => n.ready()));
      await until("every validator to have the other three as peers", async () => {
        const health = await Promise.all(
          nodes.map((n) => n.rpc<{ peers: number }>("system_health")),
        );
        return health.every((h) => h.peers === 3) ? true : undefined;
      }, 60_000);
      await until("finality past #2 on every validator", async () => {
        const heights = await Promise.all(nodes.map(finalizedNumber));
        return heights.every((h) => h >= 2) ? true : undefined;
      }, 120_000);

      const alice = nodes.shift()!;
      ok((await alice.stop("SIGINT")).success, "Ctrl-C stops Alice cleanly");
      const before = Math.max(...await Promise.all(nodes.map(finalizedNumber)));
      await until(`finality past #${before + 2} without Alice`, async () => {
        const heights = await Promise.all(nodes.map(finalizedNumber));
        return heights.every((h) => h >= before + 2) ? true : undefined;
      }, 120_000);
    } catch (e) {
      for (const node of nodes) console.error(node.output.split("\n").slice(-15).join("\n"));
      throw e;
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await Deno.remove(baseDir, { recursive: true });
    }
  },
});
