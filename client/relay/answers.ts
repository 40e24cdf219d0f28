/**
 * The JSON a relay answers on its HTTP endpoints (`GET /relay/streams`,
 * `GET /relay/load`, `GET /relay/live/{stream}`), as the relay writes it
 * and its clients read it.
 *
 * @module
 */

/** Where a carried stream's media comes from. */
export type SourceOrigin = "publisher" | "upstream";

/** A stream as `GET /relay/streams` lists it. */
export interface CarriedStream {
  stream: number;
  viewers: number;
  source: SourceOrigin | null;
}

/** A carried stream with its depth in the relay tree here (null while unknown). */
export interface StreamInTree extends CarriedStream {
  depth: number | null;
}

/** A relay's load as `GET /relay/load` says it (`maxViewers` null: no bound). */
export interface RelayLoad {
  viewers: number;
  maxViewers: number | null;
}

/**
 * Whether a stream's publisher is sending, as `GET /relay/live/{stream}`
 * says: "live" network-wide, not only here.
 */
export interface StreamLiveness {
  stream: number;
  /** The stream's status on chain (`null`: no such stream). */
  status: "Created" | "Live" | "Ended" | null;
  /** Live on chain and its media reaches a relay: this one, or a carrier the chain lists. */
  publishing: boolean;
  /** The origin of a relay that has the media (`null` when none does). */
  relay: string | null;
  /** Viewers watching it on this relay now: a count for this node only. */
  viewersHere: number;
}
