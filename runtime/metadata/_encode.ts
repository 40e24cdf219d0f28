/**
 * `RuntimeMetadataPrefixed` as `frame-metadata` encodes it: the magic
 * `0x6d657461` ("meta"), then `RuntimeMetadata`, an enum whose variant
 * index is the version (14 or 15).
 *
 * V14: `{ types, pallets: Vec<PalletMetadata>, extrinsic: { ty, version,
 * signed_extensions }, ty }`. V15 adds each pallet's docs, spells the
 * extrinsic's parts out (`version, address_ty, call_ty, signature_ty,
 * extra_ty, signed_extensions`), and appends `apis`, `outer_enums` and
 * `custom`.
 *
 * @module
 */
import { writeCompact, Writer } from "../codec/types.ts";
import type { MetadataModel, PalletModel } from "./_build.ts";
import { writeString, writeStrings } from "./registry.ts";

/** The metadata versions this runtime encodes. */
export type MetadataVersion = 14 | 15;

/** `"meta"` as a little-endian u32 (`frame_metadata::META_RESERVED`). */
const MAGIC = [0x6d, 0x65, 0x74, 0x61];

/** `frame_metadata::v14::StorageHasher`, in variant order. */
const HASHER_INDEX: Record<string, number> = {
  Blake2_128: 0,
  Blake2_256: 1,
  Blake2_128Concat: 2,
  Twox128: 3,
  Twox256: 4,
  Twox64Concat: 5,
  Identity: 6,
};

/** The SCALE bytes of `model` as metadata `version`. */
export function encodeMetadata(model: MetadataModel, version: MetadataVersion): Uint8Array {
  const w = new Writer();
  for (const b of MAGIC) w.u8(b);
  w.u8(version);
  model.registry.encodeTo(w);
  writeCompact(w, model.pallets.length);
  for (const pallet of model.pallets) writePallet(w, pallet, version);
  const ext = model.extrinsic;
  if (version === 14) {
    writeCompact(w, ext.type);
    w.u8(4);
  } else {
    w.u8(4);
    writeCompact(w, ext.address);
    writeCompact(w, ext.call);
    writeCompact(w, ext.signature);
    writeCompact(w, ext.extra);
  }
  writeCompact(w, ext.signedExtensions.length);
  for (const e of ext.signedExtensions) {
    writeString(w, e.identifier);
    writeCompact(w, e.type);
    writeCompact(w, e.additionalSigned);
  }
  writeCompact(w, model.runtimeType);
  if (version === 15) {
    writeCompact(w, model.apis.length);
    for (const api of model.apis) {
      writeString(w, api.name);
      writeCompact(w, api.methods.length);
      for (const m of api.methods) {
        writeString(w, m.name);
        writeCompact(w, m.inputs.length);
        for (const input of m.inputs) {
          writeString(w, input.name);
          writeCompact(w, input.type);
        }
        writeCompact(w, m.output);
        writeStrings(w, m.docs);
      }
      writeStrings(w, api.docs);
    }
    writeCompact(w, model.outerEnums.call);
    writeCompact(w, model.outerEnums.event);
    writeCompact(w, model.outerEnums.error);
    writeCompact(w, 0); // custom values: none yet
  }
  return w.finish();
}

function writeOptionId(w: Writer, id: number | undefined): void {
  if (id === undefined) return w.u8(0);
  w.u8(1);
  writeCompact(w, id);
}

function writeBytes(w: Writer, bytes: Uint8Array): void {
  writeCompact(w, bytes.length);
  w.bytes(bytes);
}

function writePallet(w: Writer, pallet: PalletModel, version: MetadataVersion): void {
  writeString(w, pallet.name);
  if (!pallet.storage) w.u8(0);
  else {
    w.u8(1);
    writeString(w, pallet.storage.prefix);
    writeCompact(w, pallet.storage.entries.length);
    for (const entry of pallet.storage.entries) {
      writeString(w, entry.name);
      w.u8(entry.modifier === "Optional" ? 0 : 1);
      if ("key" in entry.type) {
        w.u8(1);
        writeCompact(w, entry.type.hashers.length);
        for (const h of entry.type.hashers) w.u8(HASHER_INDEX[h]);
        writeCompact(w, entry.type.key);
        writeCompact(w, entry.type.value);
      } else {
        w.u8(0);
        writeCompact(w, entry.type.value);
      }
      writeBytes(w, entry.default);
      writeStrings(w, entry.docs);
    }
  }
  writeOptionId(w, pallet.calls);
  writeOptionId(w, pallet.event);
  writeCompact(w, pallet.constants.length);
  for (const c of pallet.constants) {
    writeString(w, c.name);
    writeCompact(w, c.type);
    writeBytes(w, c.value);
    writeStrings(w, c.docs);
  }
  writeOptionId(w, pallet.error);
  w.u8(pallet.index);
  if (version === 15) writeStrings(w, pallet.docs);
}
