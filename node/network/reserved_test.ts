import assert from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { connected, sleep, startNode, stopAll, waitFor } from "./_test_util.ts";

/** A TCP proxy on 127.0.0.1 to `port`; `close` ends it and every link through it (idempotent). */
function proxyTo(port: number): { port: number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const links: (Deno.Listener | Deno.Conn)[] = [listener];
  (async () => {
    for await (const inbound of listener) {
      const outbound = await Deno.connect({ hostname: "127.0.0.1", port });
      links.push(inbound, outbound);
      inbound.readable.pipeTo(outbound.writable).catch(() => {});
      outbound.readable.pipeTo(inbound.writable).catch(() => {});
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      for (const link of links.splice(0)) {
        try {
          link.close();
        } catch {
          // already closed by the other side
        }
      }
    },
  };
}

function portOf(address: string): number {
  return Number(address.match(/\/tcp\/(\d+)/)![1]);
}

Deno.test("a reserved-only node refuses a peer that is not reserved, inbound and outbound", async () => {
  const b = await startNode();
  const a = await startNode({ reserved: [b.listenAddresses()[0]], reservedOnly: true });
  const c = await startNode({ bootnodes: [a] });
  try {
    await waitFor("a <-> b", () => connected(a, b) && connected(b, a));
    await sleep(1_000); // c keeps redialling a meanwhile
    assert.ok(!connected(a, c) && !connected(c, a), "c is not reserved by a");
    assert.deepEqual(a.peers().map((p) => p.peerId), [b.peerId]);
  } finally {
    await stopAll(a, b, c);
  }
});

Deno.test("a reserved-only node reaches its reserved node through the reserved address only", async () => {
  const b = await startNode();
  const proxy = proxyTo(portOf(b.listenAddresses()[0]));
  const a = await startNode({
    reserved: [`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${b.peerId}`],
    reservedOnly: true,
  });
  try {
    await waitFor("a -> b through the proxy", () => connected(a, b));
    assert.deepEqual(a.peer(b.peerId)!.addresses.map(portOf), [proxy.port]);
    proxy.close();
    await waitFor("a drops b when the proxy goes", () => !connected(a, b));
    // Identify told a b's own address; a request by peer id must not go around the proxy.
    await b.handle("echo", (request) => Promise.resolve(request));
    await assert.rejects(() => a.request(b.peerId, "echo", new Uint8Array([1])));
    await sleep(500);
    assert.ok(!connected(a, b), "a must not go around the proxy");
  } finally {
    proxy.close();
    await stopAll(a, b);
  }
});

Deno.test("a reserved node that restarts is redialled", async () => {
  const privateKey = await generateKeyPair("Ed25519");
  let b = await startNode({ privateKey });
  const address = b.listenAddresses()[0];
  const a = await startNode({ reserved: [address] });
  try {
    await waitFor("a -> b", () => connected(a, b));
    await b.stop();
    await waitFor("a drops b", () => a.peerCount === 0);
    b = await startNode({ privateKey, listen: [address.replace(/\/p2p\/.*$/, "")] });
    await waitFor("a redials b", () => connected(a, b) && connected(b, a));
  } finally {
    await stopAll(a, b);
  }
});
