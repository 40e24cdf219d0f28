/**
 * RFC 78's metadata digest, computed from the metadata model the runtime
 * serves as V15 (polkadot-fellows/RFCs `text/0078-merkleized-metadata.md`,
 * as `merkleized-metadata` and `@polkadot-api/merkleize-metadata` build it).
 *
 * Only what an offline signer needs to decode an extrinsic is kept: the
 * types reachable from the extrinsic's address, call, signature and signed
 * extensions. Primitives and compacts become one-byte `TypeRef`s, as do
 * empty composites, tuples and enums (`Void`); every other type gets an id,
 * its index among the kept types ordered by registry id. Each kept type is
 * one leaf, but an enum is one leaf per variant (by index), so that a proof
 * carries only the variants a transaction uses. Leaves are blake3-256'd
 * into a binary Merkle tree, and the digest, `MetadataDigest::V1`, commits
 * to its root, to the extrinsic's shape and to the chain's `ExtraInfo`.
 *
 * @module
 */
import { writeCompact, Writer } from "../codec/types.ts";
import { blake3_256 } from "../primitives/hashing.ts";
import type { MetadataModel } from "./_build.ts";
import {
  type PortableField,
  PRIMITIVES,
  type TypeRegistry,
  writeOptionString,
  writeString,
  writeStrings,
} from "./registry.ts";

/** RFC 78's `ExtraInfo`: what a signer needs beside the types to show a transaction. */
export interface ExtraInfo {
  specVersion: number;
  specName: string;
  /** The SS58 prefix (`base58_prefix`, a u16). */
  base58Prefix: number;
  /** The token's decimals (a u8). */
  decimals: number;
  tokenSymbol: string;
}

/** `TypeRef` variants: the primitives in `PRIMITIVES`' order (0-14), then these. */
const COMPACT_REF: Record<string, number> = {
  u8: 15,
  u16: 16,
  u32: 17,
  u64: 18,
  u128: 19,
  u256: 20,
};
const VOID_REF = 21;
const PER_ID_REF = 22;

/** Bytes of a bit sequence's store type. */
const BIT_STORE_BYTES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

/**
 * The metadata hash: blake3-256 of `MetadataDigest::V1 { type_information_tree_root,
 * extrinsic_metadata_hash, spec_version, spec_name, base58_prefix, decimals, token_symbol }`.
 */
export function metadataDigest(model: MetadataModel, info: ExtraInfo): Uint8Array {
  const { extrinsic } = model;
  const lean = new LeanTypes(model.registry, [
    extrinsic.address,
    extrinsic.call,
    extrinsic.signature,
    ...extrinsic.signedExtensions.flatMap((e) => [e.type, e.additionalSigned]),
  ]);
  const x = new Writer();
  x.u8(4); // extrinsic version
  for (const id of [extrinsic.address, extrinsic.call, extrinsic.signature]) lean.ref(x, id);
  writeCompact(x, extrinsic.signedExtensions.length);
  for (const e of extrinsic.signedExtensions) {
    writeString(x, e.identifier);
    lean.ref(x, e.type);
    lean.ref(x, e.additionalSigned);
  }
  const w = new Writer();
  w.u8(1); // MetadataDigest::V1
  w.bytes(merkleRoot(lean.leaves().map(blake3_256)));
  w.bytes(blake3_256(x.finish()));
  w.u32(info.specVersion);
  writeString(w, info.specName);
  w.u16(info.base58Prefix);
  w.u8(info.decimals);
  writeString(w, info.tokenSymbol);
  return blake3_256(w.finish());
}

/**
 * The root of RFC 78's complete binary tree over `hashes`: leaf `i` at
 * `n - 1 + i` of a heap of `2n - 1` nodes, each parent the blake3-256 of its
 * two children; all zeros for no leaves. It is the RFC's queue (pop two from
 * the back, push their hash to the front) laid out as an array.
 */
export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (!hashes.length) return new Uint8Array(32);
  const tree: Uint8Array[] = new Array(2 * hashes.length - 1);
  hashes.forEach((h, i) => tree[hashes.length - 1 + i] = h);
  const pair = new Uint8Array(64);
  for (let i = tree.length - 2; i > 0; i -= 2) {
    pair.set(tree[i], 0);
    pair.set(tree[i + 1], 32);
    tree[(i - 1) / 2] = blake3_256(pair);
  }
  return tree[0];
}

/** The kept ("lean") types reachable from some roots, with their RFC 78 ids. */
class LeanTypes {
  /** Registry id to lean id, for every kept type. */
  readonly #ids = new Map<number, number>();

  constructor(readonly registry: TypeRegistry, roots: number[]) {
    const kept = new Set<number>();
    const stack = [...roots];
    while (stack.length) {
      const id = stack.pop()!;
      if (kept.has(id)) continue;
      const def = registry.get(id).def;
      switch (def.tag) {
        case "composite":
        case "tuple": {
          const types = def.tag === "tuple" ? def.types : def.fields.map((f) => f.type);
          if (!types.length) continue; // Void
          kept.add(id);
          stack.push(...types);
          continue;
        }
        case "variant":
          if (!def.variants.length) continue; // Void
          kept.add(id);
          for (const v of def.variants) stack.push(...v.fields.map((f) => f.type));
          continue;
        case "sequence":
        case "array":
          kept.add(id);
          stack.push(def.type);
          continue;
        case "bitSequence": // its store and order types are not kept
          kept.add(id);
          continue;
          // Primitives and compacts are TypeRefs; a compact's inner type is not kept.
      }
    }
    [...kept].sort((a, b) => a - b).forEach((id, index) => this.#ids.set(id, index));
  }

  /** Writes the `TypeRef` of registry type `id`. */
  ref(w: Writer, id: number): void {
    const def = this.registry.get(id).def;
    if (def.tag === "primitive") return w.u8(PRIMITIVES.indexOf(def.primitive));
    if (def.tag === "compact") {
      const inner = this.#primitiveOf(def.type);
      if (inner === undefined) return w.u8(VOID_REF);
      const tag = COMPACT_REF[inner];
      if (tag === undefined) throw new RangeError(`Cannot merkleize: Compact<${inner}>`);
      return w.u8(tag);
    }
    const lean = this.#ids.get(id);
    if (lean === undefined) return w.u8(VOID_REF);
    w.u8(PER_ID_REF);
    writeCompact(w, lean);
  }

  /** The SCALE `Type` leaves, by lean id, an enum's variants by index. */
  leaves(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const [id, lean] of this.#ids) {
      const { path = [], def } = this.registry.get(id);
      const leaf = (write: (w: Writer) => void) => {
        const w = new Writer();
        writeStrings(w, path);
        write(w);
        writeCompact(w, lean);
        out.push(w.finish());
      };
      switch (def.tag) {
        case "composite":
          leaf((w) => (w.u8(0), this.#fields(w, def.fields)));
          break;
        case "variant":
          for (const v of [...def.variants].sort((a, b) => a.index - b.index)) {
            leaf((w) => {
              w.u8(1);
              writeString(w, v.name);
              this.#fields(w, v.fields);
              writeCompact(w, v.index);
            });
          }
          break;
        case "sequence":
          leaf((w) => (w.u8(2), this.ref(w, def.type)));
          break;
        case "array":
          leaf((w) => (w.u8(3), w.u32(def.len), this.ref(w, def.type)));
          break;
        case "tuple":
          leaf((w) => {
            w.u8(4);
            writeCompact(w, def.types.length);
            for (const t of def.types) this.ref(w, t);
          });
          break;
        case "bitSequence":
          leaf((w) => (w.u8(5), this.#bitSequence(w, def.bitStoreType, def.bitOrderType)));
          break;
      }
    }
    return out;
  }

  #fields(w: Writer, fields: PortableField[]): void {
    writeCompact(w, fields.length);
    for (const f of fields) {
      writeOptionString(w, f.name);
      this.ref(w, f.type);
      writeOptionString(w, f.typeName);
    }
  }

  #bitSequence(w: Writer, store: number, order: number): void {
    const bytes = BIT_STORE_BYTES[this.#primitiveOf(store) ?? ""];
    const path = this.registry.get(order).path ?? [];
    const lsb = path.includes("Lsb0");
    if (!bytes || (!lsb && !path.includes("Msb0"))) {
      throw new RangeError(`Cannot merkleize: bit sequence of type ${store}, order ${order}`);
    }
    w.u8(bytes);
    w.u8(lsb ? 1 : 0);
  }

  /** The primitive a type wraps (through one-field composites and tuples); none for `()`. */
  #primitiveOf(id: number): string | undefined {
    const def = this.registry.get(id).def;
    if (def.tag === "primitive") return def.primitive;
    const inner = def.tag === "composite"
      ? def.fields.map((f) => f.type)
      : def.tag === "tuple"
      ? def.types
      : undefined;
    if (!inner || inner.length > 1) {
      throw new RangeError(`Cannot merkleize: type ${id} is not a primitive`);
    }
    return inner.length ? this.#primitiveOf(inner[0]) : undefined;
  }
}
