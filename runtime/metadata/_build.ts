/**
 * The metadata of a runtime as ids into one type registry: pallets (storage,
 * calls, events, constants, errors), the extrinsic and its signed
 * extensions, the outer enums and the runtime APIs, all derived from the
 * pallet declarations. `_encode.ts` writes it as V14 or V15.
 *
 * @module
 */
import { encode, type TypeDesc } from "../codec/types.ts";
import type { PalletEntry, Runtime } from "../executive/runtime.ts";
import { SIGNED_EXTENSIONS } from "../extrinsic/extrinsic.ts";
import { argsDesc, constantValue } from "../pallet/pallet.ts";
import type { HasherName, StorageItemMeta } from "../storage/items.ts";
import type { StateReader } from "../storage/overlay.ts";
import { type ConstantEntry, runtimeConstants } from "./_constants.ts";
import { Lowering } from "./_lower.ts";
import { docLines, palletCrate, pascalCase, snakeCase } from "./_names.ts";
import { byteNewtype, multiSignatureType, unitType } from "./_well_known.ts";
import { type PortableVariant, TypeRegistry } from "./registry.ts";

/** A runtime API method's parameter, as the runtime API table declares it. */
export interface RuntimeApiParam {
  name: string;
  type: TypeDesc;
}

/** A runtime API as metadata V15 lists it (`Core`, `Metadata`, ...). */
export interface RuntimeApiInput {
  /** The API's trait name, e.g. `"AccountNonceApi"`. */
  name: string;
  /** Its version in `RuntimeVersion.apis`; 1 unless said. */
  version?: number;
  methods: readonly {
    /** snake_case, e.g. `"account_nonce"`. */
    name: string;
    inputs: readonly RuntimeApiParam[];
    output: TypeDesc;
    docs: string;
  }[];
  docs: string;
}

/** A storage entry by ids. */
export interface StorageEntryModel {
  name: string;
  modifier: "Optional" | "Default";
  /** `Plain(value)`, or `Map { hashers, key, value }`. */
  type: { value: number } | { hashers: HasherName[]; key: number; value: number };
  default: Uint8Array;
  docs: string[];
}

/** A pallet by ids. */
export interface PalletModel {
  name: string;
  index: number;
  storage?: { prefix: string; entries: StorageEntryModel[] };
  calls?: number;
  event?: number;
  constants: { name: string; type: number; value: Uint8Array; docs: string[] }[];
  error?: number;
  docs: string[];
}

/** The whole metadata by ids. */
export interface MetadataModel {
  registry: TypeRegistry;
  pallets: PalletModel[];
  extrinsic: {
    type: number;
    address: number;
    call: number;
    signature: number;
    extra: number;
    signedExtensions: { identifier: string; type: number; additionalSigned: number }[];
  };
  runtimeType: number;
  outerEnums: { call: number; event: number; error: number };
  apis: {
    name: string;
    methods: {
      name: string;
      inputs: { name: string; type: number }[];
      output: number;
      docs: string[];
    }[];
    docs: string[];
  }[];
}

/**
 * Builds the metadata model of `runtime`, with the runtime APIs `apis` and
 * the constants its chain spec fixed at genesis read from `state`.
 */
export function buildMetadata(
  runtime: Runtime,
  apis: readonly RuntimeApiInput[],
  state: StateReader,
): MetadataModel {
  const registry = new TypeRegistry();
  const runtimeCall = registry.reserve();
  const lower = new Lowering(registry, runtimeCall);

  const callEnums = new Map<string, number>();
  const eventEnums = new Map<string, number>();
  const errorEnums = new Map<string, number>();
  for (const entry of runtime.pallets) {
    const { name } = entry.pallet;
    const calls = callEnum(lower, entry);
    if (calls !== undefined) callEnums.set(name, calls);
    const events = eventEnum(lower, entry);
    if (events !== undefined) eventEnums.set(name, events);
    const errors = errorEnum(lower, entry);
    if (errors !== undefined) errorEnums.set(name, errors);
  }
  const outer = (kind: string, enums: Map<string, number>) =>
    registry.add({
      path: ["sutantra_runtime", kind],
      def: {
        tag: "variant",
        variants: runtime.pallets.filter((p) => enums.has(p.pallet.name)).map((p) => ({
          name: p.pallet.name,
          index: p.index,
          fields: [{
            type: enums.get(p.pallet.name)!,
            typeName: `${palletCrate(p.pallet.name)}::${kind.slice(7)}<Runtime>`,
          }],
        })),
      },
    });
  registry.define(runtimeCall, {
    path: ["sutantra_runtime", "RuntimeCall"],
    def: {
      tag: "variant",
      variants: runtime.pallets.filter((p) => callEnums.has(p.pallet.name)).map((p) => ({
        name: p.pallet.name,
        index: p.index,
        fields: [{
          type: callEnums.get(p.pallet.name)!,
          typeName: `${palletCrate(p.pallet.name)}::Call<Runtime>`,
        }],
      })),
    },
  });
  const runtimeEvent = outer("RuntimeEvent", eventEnums);
  const runtimeError = outer("RuntimeError", errorEnums);

  const hash = byteNewtype(registry, "primitive_types::H256", 32);
  const phaseDesc = runtime.eventRecordType.desc.kind === "struct"
    ? runtime.eventRecordType.desc.fields.find((f) => f.name === "phase")!.type
    : undefined;
  const eventRecord = registry.add({
    path: ["frame_system", "EventRecord"],
    params: [{ name: "E", type: runtimeEvent }, { name: "T", type: hash }],
    def: {
      tag: "composite",
      fields: [
        { name: "phase", type: lower.id(phaseDesc!), typeName: "Phase" },
        { name: "event", type: runtimeEvent, typeName: "E" },
        {
          name: "topics",
          type: registry.add({ def: { tag: "sequence", type: hash } }),
          typeName: "Vec<T>",
        },
      ],
    },
  });
  const eventRecords = registry.add({ def: { tag: "sequence", type: eventRecord } });

  const extraConstants = runtimeConstants(runtime, apis);
  const pallets = runtime.pallets.map((entry): PalletModel => {
    const { pallet } = entry;
    const storage = Object.values(pallet.storage ?? {}).map(({ meta }) =>
      storageEntry(lower, pallet.name, meta, eventRecords)
    );
    const declared: ConstantEntry[] = Object.entries(pallet.constants ?? {}).map((
      [name, c],
    ) => ({ name, type: c.type, value: constantValue(c, state), docs: c.docs }));
    const extra = (extraConstants[pallet.name] ?? []).filter((c) =>
      !declared.some((d) => pascalCase(d.name) === c.name)
    );
    return {
      name: pallet.name,
      index: entry.index,
      storage: storage.length ? { prefix: pallet.name, entries: storage } : undefined,
      calls: callEnums.get(pallet.name),
      event: eventEnums.get(pallet.name),
      constants: [...declared, ...extra].map((c) => ({
        name: pascalCase(c.name),
        type: lower.id(c.type.desc, pallet.name),
        value: encode(c.type, c.value),
        docs: docLines(c.docs),
      })),
      error: errorEnums.get(pallet.name),
      docs: docLines(pallet.docs),
    };
  });

  const extrinsic = extrinsicModel(lower, runtime);
  return {
    registry,
    pallets,
    extrinsic: { ...extrinsic, call: runtimeCall },
    runtimeType: registry.add({
      path: ["sutantra_runtime", "Runtime"],
      def: { tag: "composite", fields: [] },
    }),
    outerEnums: { call: runtimeCall, event: runtimeEvent, error: runtimeError },
    apis: apis.map((api) => ({
      name: api.name,
      methods: api.methods.map((m) => ({
        name: m.name,
        inputs: m.inputs.map((i) => ({ name: i.name, type: lower.id(i.type) })),
        output: lower.id(m.output),
        docs: docLines(m.docs),
      })),
      docs: docLines(api.docs),
    })),
  };
}

function palletPath(pallet: string, item: string): string[] {
  return [palletCrate(pallet), "pallet", item];
}

/** `pallet_x::pallet::Call`: snake_case calls with snake_case arguments, by index. */
function callEnum(lower: Lowering, entry: PalletEntry): number | undefined {
  const { name, calls } = entry.pallet;
  const list = Object.entries(calls ?? {});
  if (!list.length) return undefined;
  const variants: PortableVariant[] = list
    .map(([call, spec]) => ({
      name: snakeCase(call),
      index: spec.index,
      fields: lower.fields(argsDesc(spec), name),
      docs: docLines(spec.docs),
    }))
    .sort((a, b) => a.index - b.index);
  return lower.registry.add({
    path: palletPath(name, "Call"),
    def: { tag: "variant", variants },
    docs: ["Contains a variant per dispatchable extrinsic that this pallet has."],
  });
}

/** `pallet_x::pallet::Event`: PascalCase events with snake_case fields. */
function eventEnum(lower: Lowering, entry: PalletEntry): number | undefined {
  const { name, events } = entry.pallet;
  if (!events) return undefined;
  return lower.registry.add({
    path: palletPath(name, "Event"),
    def: {
      tag: "variant",
      variants: events.meta.map((e) => ({
        name: pascalCase(e.name),
        index: e.index,
        fields: lower.fields(e.fields, name),
        docs: docLines(e.docs),
      })),
    },
    docs: ["The `Event` enum of this pallet"],
  });
}

/** `pallet_x::pallet::Error`: PascalCase errors without fields. */
function errorEnum(lower: Lowering, entry: PalletEntry): number | undefined {
  const { name, errors } = entry.pallet;
  if (!errors) return undefined;
  return lower.registry.add({
    path: palletPath(name, "Error"),
    def: {
      tag: "variant",
      variants: errors.meta.map((e) => ({
        name: pascalCase(e.name),
        index: e.index,
        fields: [],
        docs: docLines(e.docs),
      })),
    },
    docs: ["The `Error` enum of this pallet."],
  });
}

/**
 * A storage entry. Two of System's items read otherwise than their
 * declaration says, and metadata says how they read: `Account` is absent
 * for an account that does not exist, which `account()` reads as the
 * all-zero `AccountInfo` (Substrate's `ValueQuery`, whose default clients
 * read `.data` of), and `Events` is a raw `Vec<EventRecord>` appended to in
 * place (declared as bytes so that it is never decoded whole), empty when
 * absent.
 */
function storageEntry(
  lower: Lowering,
  pallet: string,
  meta: StorageItemMeta,
  eventRecords: number,
): StorageEntryModel {
  let value = lower.id(meta.value, pallet);
  let defaultBytes = meta.default;
  if (pallet === "System" && meta.name === "Account") defaultBytes = zeroOf(meta.value);
  if (pallet === "System" && meta.name === "Events") {
    value = eventRecords;
    defaultBytes = new Uint8Array([0]);
  }
  const keys = meta.keys.map((k) => lower.id(k, pallet));
  return {
    name: pascalCase(meta.name),
    modifier: defaultBytes ? "Default" : "Optional",
    type: keys.length === 0 ? { value } : {
      hashers: meta.hashers,
      key: keys.length === 1 ? keys[0] : lower.registry.add({ def: { tag: "tuple", types: keys } }),
      value,
    },
    // An `OptionQuery` item's default is `None`.
    default: defaultBytes ?? new Uint8Array([0]),
    docs: docLines(meta.docs),
  };
}

const PRIMITIVE_SIZES: Record<string, number> = {
  bool: 1,
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  u128: 16,
};

/** The SCALE bytes of the all-zero (Rust `Default`) value of `desc`. */
export function zeroOf(desc: TypeDesc): Uint8Array {
  switch (desc.kind) {
    case "primitive":
      return new Uint8Array(PRIMITIVE_SIZES[desc.primitive] ?? 1); // str: empty
    case "array":
      return new Uint8Array(desc.length);
    case "struct":
      return concat(desc.fields.map((f) => zeroOf(f.type)));
    case "tuple":
      return concat(desc.items.map(zeroOf));
    case "enum": {
      const first = desc.variants[0];
      return concat([
        new Uint8Array([first.index]),
        first.type ? zeroOf(first.type) : new Uint8Array(),
      ]);
    }
    default: // compacts, vectors, options and bytes: 0, empty, None
      return new Uint8Array([0]);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * The extrinsic: `UncheckedExtrinsic<Address, Call, Signature, Extra>`
 * (clients read its parameters to sign), and each signed extension with
 * the type it adds to the extrinsic and the one it adds to the payload.
 */
function extrinsicModel(lower: Lowering, runtime: Runtime) {
  const r = lower.registry;
  const u32 = r.primitive("u32");
  const hash = byteNewtype(r, "primitive_types::H256", 32);
  const unit = unitType(r);
  const era = lower.id({ kind: "enum", name: "Era", variants: [] });
  const address = lower.id(multiAddressDesc(runtime));
  const signature = multiSignatureType(r);
  const ext = (path: string, fields: { name?: string; type: number; typeName: string }[] = []) =>
    r.add({ path: path.split("::"), def: { tag: "composite", fields } });
  const system = "frame_system::extensions";
  const known: Record<string, { type: number; additionalSigned: number }> = {
    CheckNonZeroSender: {
      type: ext(`${system}::check_non_zero_sender::CheckNonZeroSender`),
      additionalSigned: unit,
    },
    CheckSpecVersion: {
      type: ext(`${system}::check_spec_version::CheckSpecVersion`),
      additionalSigned: u32,
    },
    CheckTxVersion: {
      type: ext(`${system}::check_tx_version::CheckTxVersion`),
      additionalSigned: u32,
    },
    CheckGenesis: { type: ext(`${system}::check_genesis::CheckGenesis`), additionalSigned: hash },
    CheckMortality: {
      type: ext(`${system}::check_mortality::CheckMortality`, [{ type: era, typeName: "Era" }]),
      additionalSigned: hash,
    },
    CheckNonce: {
      type: ext(`${system}::check_nonce::CheckNonce`, [{
        type: lower.id({ kind: "compact", primitive: "u32" }),
        typeName: "T::Nonce",
      }]),
      additionalSigned: unit,
    },
    CheckWeight: { type: ext(`${system}::check_weight::CheckWeight`), additionalSigned: unit },
    ChargeTransactionPayment: {
      type: ext("pallet_transaction_payment::ChargeTransactionPayment", [{
        type: lower.id({ kind: "compact", primitive: "u128" }),
        typeName: "BalanceOf<T>",
      }]),
      additionalSigned: unit,
    },
    CheckMetadataHash: {
      type: ext("frame_metadata_hash_extension::CheckMetadataHash", [{
        name: "mode",
        type: r.add({
          path: ["frame_metadata_hash_extension", "Mode"],
          def: {
            tag: "variant",
            variants: [
              { name: "Disabled", index: 0, fields: [] },
              { name: "Enabled", index: 1, fields: [] },
            ],
          },
        }),
        typeName: "Mode",
      }]),
      additionalSigned: lower.id({ kind: "option", inner: { kind: "array", length: 32 } }),
    },
  };
  const signedExtensions = SIGNED_EXTENSIONS.map((identifier) => ({
    identifier,
    ...known[identifier],
  }));
  const extra = r.add({ def: { tag: "tuple", types: signedExtensions.map((e) => e.type) } });
  const type = r.add({
    path: ["sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"],
    params: [
      { name: "Address", type: address },
      { name: "Call", type: lower.runtimeCall },
      { name: "Signature", type: signature },
      { name: "Extra", type: extra },
    ],
    def: {
      tag: "composite",
      fields: [{ type: r.add({ def: { tag: "sequence", type: r.primitive("u8") } }) }],
    },
  });
  return { type, address, signature, extra, signedExtensions };
}

/**
 * The `MultiAddress` the runtime's calls take (balances declares it), or
 * Substrate's when no call takes one.
 */
function multiAddressDesc(runtime: Runtime): TypeDesc {
  for (const { pallet } of runtime.pallets) {
    for (const spec of Object.values(pallet.calls ?? {})) {
      for (const { type: desc } of argsDesc(spec)) {
        if (desc.kind === "enum" && desc.name === "MultiAddress") return desc;
      }
    }
  }
  return {
    kind: "enum",
    name: "MultiAddress",
    variants: [
      { name: "Id", index: 0, type: { kind: "array", length: 32, name: "AccountId" } },
      { name: "Index", index: 1, type: { kind: "compact", primitive: "u32" } },
      { name: "Raw", index: 2, type: { kind: "bytes" } },
      { name: "Address32", index: 3, type: { kind: "array", length: 32 } },
      { name: "Address20", index: 4, type: { kind: "array", length: 20 } },
    ],
  };
}
