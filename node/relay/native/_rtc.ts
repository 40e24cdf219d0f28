/**
 * The node-datachannel module as the worker's private files see it: a type,
 * never an import. Only the worker's entry point (`worker.ts`) loads the
 * addon and hands it down, so no module a test or the node imports can load
 * it by accident (a second isolate loading it panics Deno).
 *
 * @module
 */
import type nodeDataChannel from "node-datachannel";

/** node-datachannel's default export, passed in by the entry point. */
export type Rtc = typeof nodeDataChannel;

/** How a worker's peer connections are set up. */
export interface RtcOptions {
  /** The address to gather on and bind to (127.0.0.1 in tests); every interface when unset. */
  bindAddress?: string;
  /** ICE servers, as node-datachannel spells them (`stun:host:port`). */
  iceServers: string[];
}
