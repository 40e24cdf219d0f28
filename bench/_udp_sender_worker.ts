/**
 * The sending half of the loopback UDP ceiling (`_udp_ceiling.ts`), on its
 * own thread: told `{port, bytes, ms}`, sends datagrams in bursts for `ms`
 * milliseconds, then posts how many it sent.
 *
 * @module
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";

const BURST = 64;

self.onmessage = async (event: MessageEvent<{ port: number; bytes: number; ms: number }>) => {
  const { port, bytes, ms } = event.data;
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  const payload = Buffer.alloc(bytes, 0x5a);
  let sent = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await Promise.all(
      Array.from(
        { length: BURST },
        () => new Promise<void>((r) => socket.send(payload, port, "127.0.0.1", () => r())),
      ),
    );
    sent += BURST;
  }
  socket.close();
  self.postMessage(sent);
};
