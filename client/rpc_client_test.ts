import { deepStrictEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { ConnectionLost, type ConnectionState, RpcClient } from "./rpc_client.ts";

/**
 * A tiny JSON-RPC WebSocket server on 127.0.0.1: `echo` answers its params,
 * `hang` never answers, `ticks_subscribe` sends a notification on each
 * `tick` call; `silent` stops it answering anything.
 */
class Server {
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  readonly #sockets = new Set<WebSocket>();
  silent = false;
  subscriptions = 0;

  constructor(public port = 0) {}

  start(): this {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: this.port, onListen() {} }, (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      this.#sockets.add(socket);
      socket.onclose = () => this.#sockets.delete(socket);
      const subs: string[] = [];
      socket.onmessage = (event) => {
        if (this.silent) return;
        const { id, method, params } = JSON.parse(event.data);
        const answer = (result: unknown) =>
          socket.send(JSON.stringify({ jsonrpc: "2.0", id, result }));
        if (method === "echo" || method === "system_health") answer(params);
        else if (method === "ticks_subscribe") {
          const sub = `s${++this.subscriptions}`;
          subs.push(sub);
          answer(sub);
        } else if (method === "tick") {
          for (const subscription of subs) {
            socket.send(JSON.stringify({
              jsonrpc: "2.0",
              method: "ticks",
              params: { subscription, result: params[0] },
            }));
          }
          answer(true);
        }
      };
      return response;
    });
    this.port = this.#server.addr.port;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.close();
    await this.#server?.shutdown();
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }
}

async function until<T>(what: string, check: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("a call waiting when the node goes away fails with ConnectionLost, not a hang", async () => {
  const server = new Server().start();
  const client = await RpcClient.connect(server.url);
  try {
    assertEquals(await client.call("echo", [1]), [1]);
    const waiting = client.call("hang");
    await server.stop();
    await rejects(waiting, ConnectionLost);
    await rejects(client.call("echo"), ConnectionLost, "a call after the loss fails at once");
    assertEquals(client.connection.state, "closed", "a client without reconnect stays closed");
  } finally {
    client.close();
    await server.stop();
  }
});

Deno.test("a reconnecting client says it lost the node, dials again and resubscribes", async () => {
  const server = new Server().start();
  const client = await RpcClient.connect(server.url, {
    reconnect: { minDelayMs: 50, maxDelayMs: 200, heartbeatMs: 0 },
  });
  const states: ConnectionState["state"][] = [];
  client.onConnection((s) => states.push(s.state));
  const ticks: unknown[] = [];
  const lost: Error[] = [];
  try {
    await client.subscribe("ticks_subscribe", [], (t) => ticks.push(t), { resubscribe: true });
    await client.subscribe("ticks_subscribe", [], () => {}, { onLost: (e) => lost.push(e) });
    await client.call("tick", ["a"]);
    await until("the first tick", () => ticks.length === 1 || undefined);

    const waiting = client.call("hang");
    await server.stop();
    await rejects(waiting, ConnectionLost);
    await until("the loss told", () => states.includes("disconnected") || undefined);
    ok(lost[0] instanceof ConnectionLost, "a watch that is not resubscribed hears the loss");
    await rejects(client.call("echo"), /Not connected to the node/);

    server.start(); // the same port
    await until("the client back", () => client.connection.state === "connected" || undefined);
    await until("the resubscription", () => server.subscriptions === 3 || undefined);
    await client.call("tick", ["b"]);
    await until("a tick after the reconnect", () => ticks.length === 2 || undefined);
    assertEquals(ticks, ["a", "b"]);
    assertEquals(states.at(-1), "connected");
  } finally {
    client.close();
    await server.stop();
  }
  assertEquals(client.connection.state, "closed");
});

Deno.test("a reconnecting client drops a node that stops answering its heartbeat", async () => {
  const server = new Server().start();
  const client = await RpcClient.connect(server.url, {
    reconnect: { minDelayMs: 50, maxDelayMs: 100, heartbeatMs: 200 },
  });
  try {
    server.silent = true;
    const waiting = client.call("echo", [1]);
    await rejects(waiting, /did not answer/);
    server.silent = false;
    await until("the client back", () => client.connection.state === "connected" || undefined);
    assertEquals(await client.call("echo", [2]), [2]);
  } finally {
    client.close();
    await server.stop();
  }
});
