/**
 * Constants Substrate's clients read that come from the runtime as a whole
 * rather than from one pallet's declaration: `System.Version`,
 * `System.BlockWeights`, `System.BlockLength` and `System.SS58Prefix`,
 * shaped as `frame_system` publishes them.
 *
 * @module
 */
import { t, type Type } from "../codec/types.ts";
import { type Runtime, runtimeVersionType } from "../executive/runtime.ts";
import { blake2bInto } from "../primitives/blake2b.ts";
import { utf8 } from "../primitives/bytes.ts";

/** A constant as metadata lists it. */
export interface ConstantEntry {
  name: string;
  type: Type<unknown>;
  value: unknown;
  docs: string;
}

const U64_MAX = (1n << 64n) - 1n;

const weightType = t.struct("Weight", { refTime: t.compactU64, proofSize: t.compactU64 });

const weightsPerClassType = t.struct("WeightsPerClass", {
  baseExtrinsic: weightType,
  maxExtrinsic: t.option(weightType),
  maxTotal: t.option(weightType),
  reserved: t.option(weightType),
});

const blockWeightsType = t.struct("BlockWeights", {
  baseBlock: weightType,
  maxBlock: weightType,
  perClass: t.struct("PerDispatchClass", {
    normal: weightsPerClassType,
    operational: weightsPerClassType,
    mandatory: weightsPerClassType,
  }),
});

const blockLengthType = t.struct("BlockLength", {
  max: t.struct("PerDispatchClass", { normal: t.u32, operational: t.u32, mandatory: t.u32 }),
});

/** An API's id in `RuntimeVersion.apis`: the blake2b-64 of its name, as `sp_api` derives it. */
export function apiId(name: string): Uint8Array {
  const input = utf8(name);
  const out = new Uint8Array(8);
  blake2bInto(input, 0, input.length, out, 0, 8);
  return out;
}

/** A weight of `refTime` with no proof size. */
function weight(refTime: number | bigint, proofSize = 0n) {
  return { refTime: BigInt(refTime), proofSize };
}

/**
 * `BlockWeights` as Substrate's `with_sensible_defaults` shapes it from the
 * runtime's limits: normal extrinsics may fill `normalRatioPercent` of the
 * block, operational ones all of it (the rest is reserved for them), and
 * mandatory ones are not limited. Proof size is not metered here: its
 * maxima are `u64::MAX`, as on a solo chain.
 */
function blockWeights(runtime: Runtime) {
  const { maxWeight, normalRatioPercent, extrinsicBaseWeight, blockExecutionWeight } =
    runtime.limits;
  const max = BigInt(maxWeight);
  const normal = max * BigInt(normalRatioPercent) / 100n;
  const base = BigInt(extrinsicBaseWeight);
  return {
    baseBlock: weight(blockExecutionWeight),
    maxBlock: weight(max, U64_MAX),
    perClass: {
      normal: {
        baseExtrinsic: weight(base),
        maxExtrinsic: weight(normal - base, U64_MAX),
        maxTotal: weight(normal, U64_MAX),
        reserved: weight(0),
      },
      operational: {
        baseExtrinsic: weight(base),
        maxExtrinsic: weight(max - base, U64_MAX),
        maxTotal: weight(max, U64_MAX),
        reserved: weight(max - normal, U64_MAX),
      },
      mandatory: {
        baseExtrinsic: weight(base),
        maxExtrinsic: undefined,
        maxTotal: undefined,
        reserved: undefined,
      },
    },
  };
}

/** The runtime's version as `System.Version` holds it, with the APIs it offers. */
export function runtimeVersionValue(
  runtime: Runtime,
  apis: readonly { name: string; version?: number }[],
) {
  const v = runtime.version;
  return {
    specName: v.specName,
    implName: v.implName,
    authoringVersion: v.authoringVersion,
    specVersion: v.specVersion,
    implVersion: v.implVersion,
    apis: apis.map((api) => [apiId(api.name), api.version ?? 1] as [Uint8Array, number]),
    transactionVersion: v.transactionVersion,
    stateVersion: v.stateVersion,
  };
}

/** The runtime-wide constants, by pallet name. */
export function runtimeConstants(
  runtime: Runtime,
  apis: readonly { name: string; version?: number }[],
): Record<string, ConstantEntry[]> {
  const { maxLength, normalRatioPercent } = runtime.limits;
  const c = <T>(name: string, type: Type<T>, value: T, docs: string): ConstantEntry => ({
    name,
    type: type as Type<unknown>,
    value,
    docs,
  });
  return {
    System: [
      c(
        "BlockWeights",
        blockWeightsType,
        blockWeights(runtime),
        "Block & extrinsics weights: base values and limits.",
      ),
      c("BlockLength", blockLengthType, {
        max: {
          normal: Math.floor(maxLength * normalRatioPercent / 100),
          operational: maxLength,
          mandatory: maxLength,
        },
      }, "The maximum length of a block (in bytes)."),
      c(
        "Version",
        runtimeVersionType,
        runtimeVersionValue(runtime, apis),
        "Get the chain's in-code version.",
      ),
      c(
        "SS58Prefix",
        t.u16,
        runtime.ss58Format,
        "The designated SS58 prefix of this chain.",
      ),
    ],
  };
}
