/**
 * A media worker process: the relay's peer connections on node-datachannel
 * (libdatachannel: ICE, DTLS, SRTP, RTCP and NACK in C++), driven by the
 * node over the control protocol (`protocol.ts`) on stdin and stdout. The
 * node starts it through `MediaWorkers`; it exits when its stdin closes, so
 * a node that dies, however it dies, leaves no worker behind.
 *
 * This is the one module the node's code base loads the addon from (a
 * second isolate loading it panics Deno): it runs alone in its process.
 *
 * ```sh
 * deno run --allow-ffi --allow-read node/relay/native/worker.ts \
 *   [--bind 127.0.0.1] [--ice-server stun:host:port] [--max-lag-ms 50] [--stats-interval-ms 1000]
 * ```
 *
 * @module
 */
import nodeDataChannel from "node-datachannel";
import { createInterface } from "node:readline";
import process from "node:process";
import { parseArgs } from "node:util";
import { MediaPlane } from "./_plane.ts";
import { PlaneError } from "./_sessions.ts";
import { parseRequest, RequestError, type WorkerLine, type WorkerRequest } from "./protocol.ts";

/** The flags a worker takes, as the supervisor passes them. */
interface WorkerFlags {
  bind?: string;
  iceServers: string[];
  maxLagMs: number;
  statsIntervalMs: number;
}

/** Reads the worker's flags. */
function workerFlags(args: string[]): WorkerFlags {
  const { values } = parseArgs({
    args,
    options: {
      bind: { type: "string" },
      "ice-server": { type: "string", multiple: true, default: [] },
      "max-lag-ms": { type: "string", default: "50" },
      "stats-interval-ms": { type: "string", default: "1000" },
    },
  });
  const maxLagMs = Number(values["max-lag-ms"]);
  const statsIntervalMs = Number(values["stats-interval-ms"]);
  if (!(maxLagMs >= 0)) throw new RangeError(`Bad --max-lag-ms: ${values["max-lag-ms"]}`);
  if (!(statsIntervalMs >= 10)) {
    throw new RangeError(`Bad --stats-interval-ms: ${values["stats-interval-ms"]}`);
  }
  return { bind: values.bind, iceServers: values["ice-server"], maxLagMs, statsIntervalMs };
}

const encoder = new TextEncoder();

/**
 * Writes one protocol line, whole. Synchronous: events keep their order, and
 * a node that stops reading is a node that is gone. Once the node is gone
 * (EPIPE), lines are dropped; its closed stdin ends the worker next.
 */
function send(line: WorkerLine): void {
  let bytes = encoder.encode(JSON.stringify(line) + "\n");
  try {
    while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
  } catch {
    // The node is gone.
  }
}

async function serve(plane: MediaPlane, request: WorkerRequest): Promise<void> {
  try {
    send({ id: request.id, ok: true, ...await plane.handle(request) });
  } catch (e) {
    const error = e instanceof PlaneError
      ? e.error
      : { code: "bad-request" as const, message: (e as Error).message };
    send({ id: request.id, ok: false, error });
  }
}

if (import.meta.main) {
  const flags = workerFlags(Deno.args);
  // libdatachannel's own log goes to stderr: stdout carries the protocol alone.
  nodeDataChannel.initLogger("Warning", (level, message) => console.error(`[${level}] ${message}`));
  const plane = new MediaPlane(nodeDataChannel, {
    bindAddress: flags.bind,
    iceServers: flags.iceServers,
    maxLagMs: flags.maxLagMs,
    statsIntervalMs: flags.statsIntervalMs,
  }, send);
  const stop = () => {
    plane.close();
    nodeDataChannel.cleanup();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  send({ event: "ready" });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let request: WorkerRequest;
    try {
      request = parseRequest(line);
    } catch (e) {
      const id = e instanceof RequestError ? e.id ?? -1 : -1;
      send({ id, ok: false, error: { code: "bad-request", message: (e as Error).message } });
      continue;
    }
    void serve(plane, request);
  }
  stop();
}
