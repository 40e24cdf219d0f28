/**
 * Block headers and bodies, laid out as Substrate's.
 *
 * The block hash is blake2-256 of the SCALE header `{parentHash, number:
 * Compact<u32>, stateRoot, extrinsicsRoot, digest}`. A body is
 * `Compact<count>` followed by each extrinsic with its own length prefix.
 *
 * @module
 */
import {
  decode,
  DecodeError,
  encode,
  readCompact,
  Reader,
  t,
  type ValueOf,
  writeCompact,
  Writer,
} from "../codec/types.ts";
import { blake2_256 } from "../primitives/hashing.ts";

const engineData = t.tuple(t.named(t.fixedBytes(4), "ConsensusEngineId"), t.bytes);

/** A digest item, with Substrate's variant indices. */
export const digestItemType = t.enum("DigestItem", {
  Other: t.bytes,
  Consensus: engineData,
  Seal: engineData,
  PreRuntime: engineData,
  RuntimeEnvironmentUpdated: null,
}, { Other: 0, Consensus: 4, Seal: 5, PreRuntime: 6, RuntimeEnvironmentUpdated: 8 });

/** A digest item. */
export type DigestItem = ValueOf<typeof digestItemType>;

/** The SCALE type of a header. */
export const headerType = t.struct("Header", {
  parentHash: t.hash,
  number: t.compactU32,
  stateRoot: t.hash,
  extrinsicsRoot: t.hash,
  digest: t.vec(digestItemType),
});

/** A block header. */
export type Header = ValueOf<typeof headerType>;

/** A block: its header and its encoded extrinsics (each with its length prefix). */
export interface Block {
  header: Header;
  extrinsics: Uint8Array[];
}

/** SCALE of a header. */
export function encodeHeader(header: Header): Uint8Array {
  return encode(headerType, header);
}

/** Decodes a header; throws `DecodeError` "Cannot decode header: …". */
export function decodeHeader(bytes: Uint8Array): Header {
  return decode(headerType, bytes, "header");
}

/** The block hash: blake2-256 of the SCALE header. */
export function blockHash(header: Header): Uint8Array {
  return blake2_256(encodeHeader(header));
}

/** SCALE of a block body. */
export function encodeBody(extrinsics: Uint8Array[]): Uint8Array {
  const w = new Writer();
  writeCompact(w, extrinsics.length);
  for (const x of extrinsics) w.bytes(x);
  return w.finish();
}

/** Splits a block body into its extrinsics (each kept with its length prefix). */
export function decodeBody(bytes: Uint8Array): Uint8Array[] {
  const r = new Reader(bytes);
  try {
    const count = Number(readCompact(r, 0xffffffffn));
    if (count > r.remaining) throw new DecodeError(`count ${count} exceeds the input`);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const start = r.pos;
      const length = Number(readCompact(r, 0xffffffffn));
      r.take(length);
      out.push(bytes.slice(start, r.pos));
    }
    if (r.remaining) throw new DecodeError(`${r.remaining} trailing bytes`);
    return out;
  } catch (e) {
    throw new DecodeError(`Cannot decode block body: ${(e as Error).message}`);
  }
}

/** The `PreRuntime` digest payload for `engine` (e.g. `"aura"`), if present. */
export function preRuntime(digest: DigestItem[], engine: string): Uint8Array | undefined {
  const id = new TextEncoder().encode(engine);
  for (const item of digest) {
    if (item.tag !== "PreRuntime") continue;
    const [engineId, data] = item.value;
    if (engineId.every((b, i) => b === id[i])) return data;
  }
  return undefined;
}
