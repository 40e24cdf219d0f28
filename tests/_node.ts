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

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
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

  constructor(args: string[], rpcPort = freePort()) {
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
        new URL("../node/cli/main.ts", import.meta.url).pathname,
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
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-sys", // werift reads the network interfaces (stream watch)
      new URL("../node/cli/main.ts", import.meta.url).pathname,
      ...args,
      "--rpc",
      `ws://127.0.0.1:${node.rpcPort}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, out: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

/** The dev chain with 200 ms slots (and `overrides` of staking), written to `dir`: long chains come quickly. */
export async function fastDevSpec(
  dir: string,
  staking: Record<string, unknown> = {},
): Promise<string> {
  const { devSpec } = await import("../chain-spec/presets.ts");
  const spec = devSpec();
  const runtime = (spec.genesis as { runtime: Record<string, Record<string, unknown>> }).runtime;
  runtime.authorship.slotDurationMs = 200;
  runtime.timestamp.minimumPeriodMs = 100;
  Object.assign(runtime.staking, staking);
  const path = `${dir}/fast-dev.json`;
  await Deno.writeTextFile(path, JSON.stringify(spec));
  return path;
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
