/**
 * The relay's native media plane: media worker processes on
 * node-datachannel (libdatachannel), and the node-side supervisor that
 * starts them, places sessions on them and restarts them. Importing this
 * never loads the addon: only the workers' own processes do.
 *
 * @module
 */
export {
  DEFAULT_MAX_VIEWERS_PER_WORKER,
  type MediaPull,
  type MediaSession,
  type MediaWorkerEvents,
  MediaWorkers,
  type MediaWorkersInit,
  type WatchOptions,
} from "./supervisor.ts";
export { MediaWorkerError, type MediaWorkerErrorCode } from "./errors.ts";
export type { SessionStats, TrickledCandidate, WorkerStats } from "./protocol.ts";
export { VIEWER_SILENT_MS } from "./_plane.ts";
