/**
 * Running real node processes in tests: free loopback ports, a JSON-RPC
 * client, polling with a deadline, and clean shutdown.
 *
 * @module
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { decode } from "../runtime/codec/types.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { accountInfoType, systemStorage } from "../pallets/system/mod.ts";

/**
 * Where the kernel's ephemeral ports begin: Linux's default
 * `net.ipv4.ip_local_port_range` (Deno lets only `--allow-all` read it).
 */
const EPHEMERAL_PORTS_START = 32_768;

/**
 * A free TCP port on 127.0.0.1, below the kernel's ephemeral range: the port
 * is free again once this returns, and a port the kernel hands out (a node's
 * p2p or metrics listener on port 0, any outgoing connection) would
 * otherwise take it before the node it is for binds it.
 */
export function freePort(): number {
  const low = 10_000;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (EPHEMERAL_PORTS_START - low));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error(`No free port on 127.0.0.1 between ${low} and ${EPHEMERAL_PORTS_START}`);
}

/** Waits until `check` returns a value (not `undefined`), or fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

/** A node process started with `deno task node`-equivalent permissions. */
export class NodeProcess {
  readonly #child: Deno.ChildProcess;
  readonly rpcPort: number;
  readonly #output: string[] = [];

  /**
   * Starts `deno run` of `entry` (the node's CLI; a benchmark may wrap it)
   * with `args` and a free RPC port.
   */
  constructor(
    args: string[],
    rpcPort = freePort(),
    entry = new URL("../node/cli/main.ts", import.meta.url),
  ) {
    this.rpcPort = rpcPort;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        "--allow-run",
        entry.pathname,
        "--rpc-port",
        String(rpcPort),
        "--port",
        "0",
        "--prometheus-port",
        "0",
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#collect(this.#child.stdout);
    this.#collect(this.#child.stderr);
  }

  /** The node's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Resolves when the process exits (by itself or stopped). */
  get status(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }

  /** What the node printed so far. */
  get output(): string {
    return this.#output.join("");
  }

  /** Calls a JSON-RPC method; throws on a JSON-RPC error. */
  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.rpcPort}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = await response.json();
    if (body.error) throw Object.assign(new Error(body.error.message), body.error);
    return body.result as T;
  }

  /** Waits for the RPC to answer. */
  async ready(): Promise<void> {
    await until("the node's RPC", () => this.rpc("system_name").then(() => true), 60_000);
  }

  /** Stops the node with `signal` and waits for it to exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
    return await this.#child.status;
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) this.#output.push(decoder.decode(chunk));
  }
}

/**
 * A node authoring as Alice on the chain of `specPath`, with a temporary
 * base path, that peers dial on 127.0.0.1 (tcp, and each of `listen` besides).
 */
export function aliceNode(specPath: string, ...listen: string[]): NodeProcess {
  const addresses = ["/ip4/127.0.0.1/tcp/0", ...listen];
  return new NodeProcess([
    "--chain",
    specPath,
    "--alice",
    "--tmp",
    ...addresses.flatMap((address) => ["--listen-addr", address]),
  ]);
}

/** The number of the node's last finalized block. */
export async function finalizedNumber(node: NodeProcess): Promise<number> {
  const head = await node.rpc<string>("chain_getFinalizedHead");
  const header = await node.rpc<{ number: string }>("chain_getHeader", [head]);
  return parseInt(header.number, 16);
}

/** Every pair of nodes agrees on the finalized block at every height both have finalized. */
export async function assertNoConflict(nodes: NodeProcess[]): Promise<void> {
  const heights = await Promise.all(nodes.map(finalizedNumber));
  const common = Math.min(...heights);
  for (let n = 1; n <= common; n++) {
    const hashes = await Promise.all(
      nodes.map((node) => node.rpc<string>("chain_getBlockHash", [n])),
    );
    assertEquals(new Set(hashes).size, 1, `block #${n} differs between nodes`);
  }
}

/** Runs a client command of `deno task node` against `node`'s RPC; what it printed and its exit code. */
export async function cli(
  node: NodeProcess,
  ...args: string[]
): Promise<{ code: number; out: string }> {
  const { code, out, err } = await runCli(
    // werift reads the network interfaces (stream watch)
    ["--allow-read", "--allow-net=127.0.0.1", "--allow-env", "--allow-sys"],
    [...args, "--rpc", `ws://127.0.0.1:${node.rpcPort}`],
  );
  return { code, out: out + err };
}

/** Runs `deno task node`'s entry with `allow` permissions and `args`: its exit code and output. */
export async function runCli(
  allow: string[],
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...allow, new URL("../node/cli/main.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    out: decoder.decode(output.stdout),
    err: decoder.decode(output.stderr),
  };
}

/** The dev chain with 200 ms slots (and `overrides` of staking), written to `dir`: long chains come quickly. */
export function fastDevSpec(dir: string, staking: Record<string, unknown> = {}): Promise<string> {
  return fastSpec(dir, { staking });
}

/**
 * A preset chain (dev by default) with short slots (200 ms by default) and
 * `staking` overrides, written to `dir`.
 */
export async function fastSpec(
  dir: string,
  options: { preset?: "dev" | "local"; slotMs?: number; staking?: Record<string, unknown> } = {},
): Promise<string> {
  const { devSpec, localSpec } = await import("../chain-spec/presets.ts");
  const preset = options.preset ?? "dev";
  const slotMs = options.slotMs ?? 200;
  const spec = preset === "dev" ? devSpec() : localSpec();
  const runtime = (spec.genesis as { runtime: Record<string, Record<string, unknown>> }).runtime;
  runtime.authorship.slotDurationMs = slotMs;
  runtime.timestamp.minimumPeriodMs = slotMs / 2;
  Object.assign(runtime.staking, options.staking ?? {});
  const path = `${dir}/fast-${preset}.json`;
  await Deno.writeTextFile(path, JSON.stringify(spec));
  return path;
}

/** The local chain's four validators as processes on 127.0.0.1, each of which can be killed and restarted. */
export class LocalValidators {
  static readonly NAMES = ["alice", "bob", "charlie", "dave"] as const;
  readonly nodes: (NodeProcess | undefined)[] = [];
  readonly #bases: string[];
  readonly #chain: string;
  readonly #entry?: URL;
  /** Each validator keeps its p2p port (and its node key, in its base path) across restarts. */
  readonly #ports = LocalValidators.NAMES.map(() => freePort());
  #boot: string[] = [];

  private constructor(chain: string, bases: string[], entry?: URL) {
    this.#chain = chain;
    this.#bases = bases;
    this.#entry = entry;
  }

  /**
   * Starts the four validators on `chain` (a spec path or preset name),
   * Alice first as the bootnode; a restarted validator then dials all the
   * others, and they redial it.
   */
  static async start(chain: string, bases: string[], entry?: URL): Promise<LocalValidators> {
    const net = new LocalValidators(chain, bases, entry);
    try {
      await net.restart(0);
      net.#boot = await net.nodes[0]!.rpc<string[]>("system_localListenAddresses");
      await Promise.all([1, 2, 3].map((i) => net.restart(i)));
      const all = await Promise.all(
        net.up.map((n) => n.rpc<string[]>("system_localListenAddresses")),
      );
      net.#boot = all.map((addresses) => addresses[0]);
    } catch (e) {
      await net.stop();
      throw e;
    }
    return net;
  }

  /** The validators that are up. */
  get up(): NodeProcess[] {
    return this.nodes.filter((n) => n !== undefined);
  }

  /** Kills validator `i` with SIGKILL (no shutdown at all). */
  async kill(i: number): Promise<void> {
    await this.nodes[i]?.stop("SIGKILL");
    this.nodes[i] = undefined;
  }

  /** Starts validator `i` on its base path (again) and waits for its RPC. */
  async restart(i: number): Promise<NodeProcess> {
    const node = new NodeProcess(
      [
        "--chain",
        this.#chain,
        `--${LocalValidators.NAMES[i]}`,
        "--base-path",
        this.#bases[i],
        "--listen-addr",
        `/ip4/127.0.0.1/tcp/${this.#ports[i]}`,
        ...this.#boot.filter((b) => !b.includes(`/tcp/${this.#ports[i]}/`)).flatMap((b) => [
          "--bootnodes",
          b,
        ]),
        "--name",
        LocalValidators.NAMES[i],
      ],
      undefined,
      this.#entry,
    );
    this.nodes[i] = node;
    await node.ready();
    return node;
  }

  /** The validators' addresses, for other nodes to join. */
  get bootnodes(): string[] {
    return this.#boot;
  }

  /** The last lines each node printed and its GRANDPA rounds (for a failed test's report). */
  async tails(lines = 20): Promise<string> {
    const parts = await Promise.all(this.up.map(async (n) => {
      const rounds = await n.rpc("grandpa_roundState").catch((e) => `${e}`);
      return `${n.output.split("\n").slice(-lines).join("\n")}\n${JSON.stringify(rounds)}`;
    }));
    return parts.join("\n---\n");
  }

  /** Stops every validator that is up. */
  async stop(): Promise<void> {
    await Promise.all(this.up.map((n) => n.stop()));
  }
}

/** The raw storage value at `key` in the state of block `at` (the best block when omitted). */
export async function storageAt(
  node: NodeProcess,
  key: Uint8Array,
  at?: string,
): Promise<Uint8Array | undefined> {
  const raw = await node.rpc<string | null>(
    "state_getStorage",
    at ? [toHex(key), at] : [toHex(key)],
  );
  return raw === null ? undefined : fromHex(raw);
}

/** `who`'s free and reserved balance at block `at` (the best block when omitted); 0 if unknown. */
export async function balanceAt(
  node: NodeProcess,
  who: Uint8Array,
  at?: string,
): Promise<{ free: bigint; reserved: bigint }> {
  const raw = await storageAt(node, systemStorage.Account.keyOf(who), at);
  if (!raw) return { free: 0n, reserved: 0n };
  const { free, reserved } = decode(accountInfoType, raw).data;
  return { free, reserved };
}

/** The pids of `pid`'s child processes (a node's media workers). */
export async function childrenOf(pid: number): Promise<number[]> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "pid=", "--ppid", String(pid)],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((l) => l.trim()).map(Number);
}
