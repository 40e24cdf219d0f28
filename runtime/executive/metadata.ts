/**
 * Runtime metadata as a JSON document, derived from the pallet declarations:
 * pallets and their indices, calls with argument names and types, storage
 * items with hashers, events, errors, constants, and signed extensions.
 *
 * Types are given as {@link TypeDesc} trees, with the TypeScript names of
 * calls, fields and constants. The node serves this document as
 * `sutantra_metadataJson` for the CLI and the web app; Substrate's clients
 * read the SCALE metadata (V14/V15) that `runtime/metadata` builds from the
 * same declarations.
 *
 * @module
 */
import { encode, type TypeDesc } from "../codec/types.ts";
import { argsDesc, type ConstantSpec } from "../pallet/pallet.ts";
import type { StateReader } from "../storage/overlay.ts";
import { toHex } from "../primitives/hex.ts";
import { SIGNED_EXTENSIONS } from "../extrinsic/extrinsic.ts";
import type { Runtime, RuntimeVersion } from "./runtime.ts";

/** The metadata document. */
export interface RuntimeMetadata {
  version: RuntimeVersion;
  ss58Format: number;
  extrinsic: {
    version: number;
    signedExtensions: readonly string[];
    address: string;
    signature: string;
  };
  pallets: PalletMetadata[];
}

/** One pallet in the metadata. */
export interface PalletMetadata {
  name: string;
  index: number;
  docs: string;
  calls: { name: string; index: number; args: { name: string; type: TypeDesc }[]; docs: string }[];
  storage: {
    prefix: string;
    items: {
      name: string;
      kind: string;
      hashers: string[];
      keys: TypeDesc[];
      value: TypeDesc;
      default?: string;
      docs: string;
    }[];
  };
  events: {
    name: string;
    index: number;
    fields: { name: string; type: TypeDesc }[];
    docs: string;
  }[];
  errors: { name: string; index: number; docs: string }[];
  constants: { name: string; type: TypeDesc; value: string; docs: string }[];
}

/**
 * Builds the metadata of a runtime; with the chain's `state`, it lists the
 * constants the chain spec fixed at genesis too.
 */
export function metadataOf(runtime: Runtime, state?: StateReader): RuntimeMetadata {
  return {
    version: runtime.version,
    ss58Format: runtime.ss58Format,
    extrinsic: {
      version: 4,
      signedExtensions: SIGNED_EXTENSIONS,
      address: "MultiAddress::Id(AccountId32)",
      signature: "MultiSignature::Ed25519",
    },
    pallets: runtime.pallets.map(({ index, pallet }) => ({
      name: pallet.name,
      index,
      docs: pallet.docs,
      calls: Object.entries(pallet.calls ?? {})
        .map(([name, spec]) => ({ name, index: spec.index, args: argsDesc(spec), docs: spec.docs }))
        .sort((a, b) => a.index - b.index),
      storage: {
        prefix: pallet.name,
        items: Object.values(pallet.storage ?? {}).map(({ meta }) => ({
          ...meta,
          default: meta.default ? toHex(meta.default) : undefined,
        })),
      },
      events: pallet.events?.meta ?? [],
      errors: pallet.errors?.meta ?? [],
      constants: Object.entries(pallet.constants ?? {}).flatMap(([name, c]) => {
        if (!c.read) return [entry(name, c, c.value)];
        return state ? [entry(name, c, c.read(state))] : [];
      }),
    })),
  };
}

/** A constant of the document. */
function entry(name: string, spec: ConstantSpec, value: unknown) {
  return { name, type: spec.type.desc, value: toHex(encode(spec.type, value)), docs: spec.docs };
}
