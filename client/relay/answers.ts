/**
 * The JSON a relay answers on its HTTP endpoints (`GET /relay/streams`,
 * `GET /relay/load`), as the relay writes it and its clients read it.
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
