/**
 * The loopback UDP ceiling for the relay benchmarks: packets per second a
 * `node:dgram` socket receives from another on a worker thread, sent as
 * fast as they go, the payload size of the relay's video packets. The
 * receive buffer is left as the system sets it (`setRecvBufferSize` cuts
 * Deno's UDP receive to ~3k packets/s).
 *
 * @module
 */
import dgram from "node:dgram";

/** Received packets per second over `ms` milliseconds of `bytes`-byte datagrams. */
export async function udpCeiling(bytes = 1100, ms = 2000): Promise<number> {
  const receiver = dgram.createSocket("udp4");
  let received = 0;
  receiver.on("message", () => received++);
  await new Promise<void>((r) => receiver.bind(0, "127.0.0.1", r));
  const worker = new Worker(new URL("./_udp_sender_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const start = performance.now();
    await new Promise((resolve) => {
      worker.onmessage = resolve;
      worker.postMessage({ port: receiver.address().port, bytes, ms });
    });
    await new Promise((r) => setTimeout(r, 50)); // the last datagrams in flight
    return received / ((performance.now() - start) / 1000);
  } finally {
    worker.terminate();
    receiver.close();
  }
}

if (import.meta.main) console.log(Math.round(await udpCeiling()), "packets/s");
