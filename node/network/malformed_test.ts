import assert from "node:assert/strict";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { identify } from "@libp2p/identify";
import { peerIdFromString } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import {
  encodeStatus,
  MAX_STATUS_BYTES,
  readFrame,
  serveRequest,
  STATUS_PROTOCOL,
} from "../../client/p2p/mod.ts";
import { GENESIS, startNode, stopAll, waitFor } from "./_test_util.ts";

/** A bare libp2p host that passes the handshake and then writes raw bytes. */
async function rawPeer() {
  const host = await createLibp2p({
    privateKey: await generateKeyPair("Ed25519"),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  });
  const genesis = { number: 0, hash: GENESIS };
  const status = encodeStatus({
    genesisHash: GENESIS,
    role: "light",
    name: "raw",
    best: genesis,
    finalized: genesis,
  });
  await host.handle(STATUS_PROTOCOL, (stream) => {
    serveRequest(stream, MAX_STATUS_BYTES, 5_000, () => Promise.resolve(status)).catch(() => {});
  });
  return host;
}

Deno.test("garbage on a request stream fails that stream only; the server keeps serving", async () => {
  const a = await startNode();
  const raw = await rawPeer();
  const hex = Array.from(GENESIS, (b) => b.toString(16).padStart(2, "0")).join("");
  try {
    await a.handle("echo", (request) => Promise.resolve(request));
    await raw.dial(multiaddr(a.listenAddresses()[0]));
    await waitFor("a accepts raw", () => a.peers().some((p) => p.peerId === raw.peerId.toString()));
    const garbage = [
      new Uint8Array(12).fill(0xff), // a length prefix that never ends
      new Uint8Array([0x80, 0x80, 0x80, 0x04]), // 8 MiB, over the 1 MiB request limit
      new Uint8Array([10, 1, 2, 3]), // a frame cut short
    ];
    for (const bytes of garbage) {
      const stream = await raw.dialProtocol(peerIdFromString(a.peerId), `/sutantra/${hex}/echo/1`);
      stream.send(bytes);
      await stream.close();
      await assert.rejects(() => readFrame(stream, 1 << 20));
    }
    const stream = await raw.dialProtocol(peerIdFromString(a.peerId), `/sutantra/${hex}/echo/1`);
    stream.send(new Uint8Array([2, 7, 8]));
    await stream.close();
    assert.deepEqual([...await readFrame(stream, 1 << 20)], [0, 7, 8]); // status 0 (ok), then the echo
  } finally {
    await raw.stop();
    await stopAll(a);
  }
});
