/**
 * Composing pallets into a runtime: the call and event enums, the version,
 * and the metadata, all derived from the pallet declarations.
 *
 * @module
 */
import { decode, encode, encodeWith, t, type Type, type TypeDesc } from "../codec/types.ts";
import type { CallRef } from "../codec/call.ts";
import { ModuleError } from "../pallet/errors.ts";
import type { PalletEvent } from "../pallet/events.ts";
import type { Origin } from "../pallet/origin.ts";
import type { CallSpec, DispatchContext, Pallet, Weight } from "../pallet/pallet.ts";
import { argsDesc } from "../pallet/pallet.ts";
import { checkMigrations } from "../pallet/migration.ts";
import type { StateReader } from "../storage/overlay.ts";
import type { MultiVerifier, SignatureType } from "../crypto/multi_signature.ts";
import type { PaymentApi, SystemApi } from "./apis.ts";
import { metadataOf, type RuntimeMetadata } from "./metadata.ts";
import { invalid, TransactionValidityError } from "./validity.ts";

/** The runtime's identity, as `state_getRuntimeVersion` reports it. */
export interface RuntimeVersion {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  transactionVersion: number;
  stateVersion: number;
}

/**
 * `sp_version::RuntimeVersion` in its SCALE field order, as `Core_version`
 * and the `System.Version` constant encode it, with the runtime APIs'
 * `[blake2-64 id, version]` pairs (Core ≥ 4: with the state version).
 */
export const runtimeVersionType = t.struct("RuntimeVersion", {
  specName: t.str,
  implName: t.str,
  authoringVersion: t.u32,
  specVersion: t.u32,
  implVersion: t.u32,
  apis: t.vec(t.tuple(t.fixedBytes(8), t.u32)),
  transactionVersion: t.u32,
  stateVersion: t.u8,
});

/**
 * Checks an extrinsic's `MultiSignature` by its account; the rules live in
 * `runtime/crypto` (`multi_signature.ts` dispatches by kind).
 */
export type SignatureVerifier = MultiVerifier;

/** Block limits. */
export interface BlockLimits {
  /** Weight a block may use in all (mandatory inherents may exceed it). */
  maxWeight: Weight;
  /** Share of `maxWeight` normal extrinsics may use, in percent; the rest is for operational ones. */
  normalRatioPercent: number;
  /** Bytes of extrinsics a block may hold. */
  maxLength: number;
  /** What every extrinsic costs on top of its call's weight (measured: `runtime/base_weights.ts`). */
  extrinsicBaseWeight: Weight;
  /**
   * What verifying each kind of signature costs over ed25519, which the base
   * weight was measured with (measured: `runtime/base_weights.ts`); a kind
   * left out costs nothing extra.
   */
  signatureExtraWeight?: Partial<Record<SignatureType, Weight>>;
  /** What executing a block costs before any extrinsic (measured: `runtime/base_weights.ts`). */
  blockExecutionWeight: Weight;
}

/** Everything a runtime is made of. */
export interface RuntimeSpec {
  version: RuntimeVersion;
  /** Pallets with their stable indices. */
  pallets: { index: number; pallet: Pallet }[];
  system: SystemApi;
  payment: PaymentApi;
  limits: BlockLimits;
  /** The chain's address prefix and token, which its chain specs must state as they are. */
  properties: ChainProperties;
}

/**
 * How a chain shows addresses and amounts: Substrate's chain properties
 * (`system_properties`). The runtime owns them, as a Substrate runtime
 * owns its `SS58Prefix` and the token its metadata hash was built with:
 * metadata shows the prefix, and the metadata hash signers sign (RFC 78)
 * commits to all three, so a chain spec stating others is refused.
 */
export interface ChainProperties {
  /** The SS58 address prefix (0 to 16383). */
  ss58Format: number;
  /** The token's symbol, e.g. `"STREAM"`. */
  tokenSymbol: string;
  /** The token's decimals (0 to 30): amounts are in units of 10^-decimals. */
  tokenDecimals: number;
}

/** A pallet in a runtime. */
export interface PalletEntry {
  index: number;
  pallet: Pallet;
  callType?: Type<{ tag: string; value: unknown }>;
}

/** A decoded call. */
export interface DecodedCall {
  entry: PalletEntry;
  name: string;
  spec: CallSpec;
  args: Record<string, unknown>;
}

/** A call by names, as clients build it. */
export type { CallRef };

/** A decoded event record. */
export interface EventRecord {
  phase: { tag: "ApplyExtrinsic"; value: number } | { tag: "Finalization" } | {
    tag: "Initialization";
  };
  pallet: string;
  name: string;
  data: Record<string, unknown>;
}

const phaseType = t.enum("Phase", {
  ApplyExtrinsic: t.u32,
  Finalization: null,
  Initialization: null,
});

/** The pallets composed, with the derived call and event codecs. */
export class Runtime {
  readonly version: RuntimeVersion;
  readonly system: SystemApi;
  readonly payment: PaymentApi;
  readonly limits: BlockLimits;
  readonly properties: ChainProperties;
  /** `properties.ss58Format`: the SS58 prefix of metadata and JSON views. */
  readonly ss58Format: number;
  /** Pallets in index order. */
  readonly pallets: PalletEntry[];
  readonly #byName = new Map<string, PalletEntry>();
  readonly #byIndex = new Map<number, PalletEntry>();
  readonly eventType: Type<{ tag: string; value: { tag: string; value: unknown } }>;
  readonly eventRecordType: Type<
    {
      phase: EventRecord["phase"];
      event: { tag: string; value: { tag: string; value: unknown } };
      topics: Uint8Array[];
    }
  >;
  readonly callType: Type<{ tag: string; value: { tag: string; value: unknown } }>;
  readonly inherents = new Set<string>();

  constructor(spec: RuntimeSpec) {
    this.version = spec.version;
    this.system = spec.system;
    this.payment = spec.payment;
    this.limits = spec.limits;
    this.properties = spec.properties;
    this.ss58Format = spec.properties.ss58Format;
    this.pallets = [...spec.pallets].sort((a, b) => a.index - b.index).map((p) => ({ ...p }));
    const events: Record<string, Type<unknown>> = {};
    const calls: Record<string, Type<unknown>> = {};
    const eventIndices: Record<string, number> = {};
    const callIndices: Record<string, number> = {};
    for (const entry of this.pallets) {
      const { name } = entry.pallet;
      if (this.#byName.has(name) || this.#byIndex.has(entry.index)) {
        throw new TypeError(`Cannot compose runtime: pallet ${name} or index ${entry.index} twice`);
      }
      checkMigrations(entry.pallet);
      this.#byName.set(name, entry);
      this.#byIndex.set(entry.index, entry);
      if (entry.pallet.events) {
        events[name] = entry.pallet.events.type;
        eventIndices[name] = entry.index;
      }
      const palletCalls = entry.pallet.calls ?? {};
      if (Object.keys(palletCalls).length) {
        const variants: Record<string, Type<unknown>> = {};
        const indices: Record<string, number> = {};
        for (const [callName, callSpec] of Object.entries(palletCalls)) {
          variants[callName] = t.struct(`${name}.${callName}`, callSpec.args);
          indices[callName] = callSpec.index;
        }
        entry.callType = t.enum(`${name}.Call`, variants, indices) as Type<
          { tag: string; value: unknown }
        >;
        calls[name] = entry.callType;
        callIndices[name] = entry.index;
      }
      for (const inherent of entry.pallet.inherent?.calls ?? []) {
        this.inherents.add(`${name}.${inherent}`);
      }
    }
    this.eventType = t.enum("RuntimeEvent", events, eventIndices) as typeof this.eventType;
    this.callType = t.enum("RuntimeCall", calls, callIndices) as typeof this.callType;
    this.eventRecordType = t.struct("EventRecord", {
      phase: phaseType,
      event: this.eventType,
      topics: t.vec(t.hash),
    }) as typeof this.eventRecordType;
    for (const { pallet } of this.pallets) pallet.runtimeCalls?.bind(this);
  }

  /** The pallet called `name`; throws a TypeError naming it if there is none. */
  pallet(name: string): PalletEntry {
    const entry = this.#byName.get(name);
    if (!entry) throw new TypeError(`Unknown pallet: ${name}`);
    return entry;
  }

  /** The index of the pallet called `name`. */
  palletIndex = (name: string): number => this.pallet(name).index;

  /** SCALE of a call given by names; throws a TypeError for an unknown call. */
  encodeCall(ref: CallRef): Uint8Array {
    const entry = this.pallet(ref.pallet);
    if (!entry.pallet.calls?.[ref.call]) {
      throw new TypeError(`Unknown call: ${ref.pallet}.${ref.call}`);
    }
    return encode(this.callType, { tag: ref.pallet, value: { tag: ref.call, value: ref.args } });
  }

  /**
   * Decodes a call.
   *
   * @throws {TransactionValidityError} `Invalid(Call)` when the bytes are not a call of this runtime
   */
  decodeCall(bytes: Uint8Array): DecodedCall {
    let decoded;
    try {
      decoded = decode(this.callType, bytes, "call");
    } catch (e) {
      throw invalid("Call", (e as Error).message);
    }
    const entry = this.#byName.get(decoded.tag)!;
    const name = decoded.value.tag;
    return {
      entry,
      name,
      spec: entry.pallet.calls![name],
      args: decoded.value.value as Record<string, unknown>,
    };
  }

  /** The weight a call declares for its arguments (without the extrinsic base weight). */
  callWeight(ref: CallRef): Weight {
    const w = this.#callSpec(ref).weight;
    return typeof w === "function" ? w(ref.args) : w;
  }

  /**
   * Runs a call's dispatch as `origin` (for pallets that dispatch calls, see
   * `RuntimeCalls`); throws what the call throws, in the caller's transaction.
   */
  dispatch(ctx: DispatchContext, origin: Origin, ref: CallRef): void {
    this.#callSpec(ref).dispatch(ctx, origin, ref.args);
  }

  #callSpec(ref: CallRef): CallSpec {
    const spec = this.pallet(ref.pallet).pallet.calls?.[ref.call];
    if (!spec) throw new TypeError(`Unknown call: ${ref.pallet}.${ref.call}`);
    return spec;
  }

  /** Whether a decoded call is an inherent. */
  isInherent(call: DecodedCall): boolean {
    return this.inherents.has(`${call.entry.pallet.name}.${call.name}`);
  }

  /** SCALE of an event record. */
  encodeEventRecord(event: PalletEvent, phase: EventRecord["phase"]): Uint8Array {
    const entry = this.pallet(event.pallet);
    return encodeWith((w) => {
      phaseType.encodeTo(w, phase as never);
      w.u8(entry.index);
      w.u8(event.index);
      event.encodeData(w);
      w.u8(0); // no topics
    });
  }

  /** Decodes `System.Events`. */
  decodeEvents(bytes: Uint8Array | undefined): EventRecord[] {
    if (!bytes) return [];
    return decode(t.vec(this.eventRecordType), bytes, "events").map((r) => ({
      phase: r.phase,
      pallet: r.event.tag,
      name: r.event.value.tag,
      data: r.event.value.value as Record<string, unknown>,
    }));
  }

  /** Name and docs of the pallet error a `Module` dispatch error points at. */
  moduleError(index: number, error: number): ModuleError | undefined {
    const entry = this.#byIndex.get(index);
    const meta = entry?.pallet.errors?.meta.find((e) => e.index === error);
    return entry && meta
      ? new ModuleError(entry.pallet.name, meta.name, meta.index, meta.docs)
      : undefined;
  }

  /**
   * The runtime metadata as a JSON document; with the chain's `state`, it
   * lists the constants the chain spec fixed at genesis too.
   */
  metadata(state?: StateReader): RuntimeMetadata {
    return metadataOf(this, state);
  }

  /** The metadata type of call arguments (for clients encoding from JSON). */
  callArgs(pallet: string, call: string): { name: string; type: TypeDesc }[] {
    const spec = this.pallet(pallet).pallet.calls?.[call];
    if (!spec) throw new TypeError(`Unknown call: ${pallet}.${call}`);
    return argsDesc(spec);
  }
}

export { TransactionValidityError };
