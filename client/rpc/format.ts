/**
 * The JSON shapes of Substrate's RPC: headers with hex numbers and SCALE
 * digest logs, blocks with hex extrinsics and justifications.
 *
 * @module
 */
import { encode, type ValueOf } from "../../runtime/codec/types.ts";
import type { runtimeDispatchInfoType } from "../../runtime/api/types.ts";
import { digestItemType, type Header } from "../../runtime/block/header.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { RuntimeVersion } from "../../runtime/executive/runtime.ts";
import { RUNTIME_API_VERSIONS } from "../../runtime/api/mod.ts";

/** A header as `chain_getHeader` returns it. */
export interface HeaderJson {
  parentHash: string;
  number: string;
  stateRoot: string;
  extrinsicsRoot: string;
  digest: { logs: string[] };
}

/** A header in Substrate's JSON. */
export function headerJson(header: Header): HeaderJson {
  let json = headerJsonCache.get(header);
  if (!json) {
    json = {
      parentHash: toHex(header.parentHash),
      number: `0x${header.number.toString(16)}`,
      stateRoot: toHex(header.stateRoot),
      extrinsicsRoot: toHex(header.extrinsicsRoot),
      digest: { logs: header.digest.map((item) => toHex(encode(digestItemType, item))) },
    };
    headerJsonCache.set(header, json);
  }
  return json;
}

/**
 * PERF: the best header is asked for again and again (`chain_getHeader`, head
 * subscriptions); headers are never changed once made, so their JSON is kept
 * with them. Callers must not mutate what they get.
 */
const headerJsonCache = new WeakMap<Header, HeaderJson>();

/** The consensus engine id of finality justifications (GRANDPA's, as Substrate clients expect). */
export const FINALITY_ENGINE = "FRNK";

/** A block as `chain_getBlock` returns it. */
export function blockJson(header: Header, extrinsics: Uint8Array[], justification?: Uint8Array) {
  return {
    block: { header: headerJson(header), extrinsics: extrinsics.map(toHex) },
    justifications: justification
      ? [[[...new TextEncoder().encode(FINALITY_ENGINE)], toHex(justification)]]
      : null,
  };
}

/**
 * The runtime version as `state_getRuntimeVersion` returns it, with the
 * runtime APIs as `[id, version]` pairs (`["0xdf6acb689907609b", 5]`).
 */
export function runtimeVersionJson(version: RuntimeVersion) {
  return { ...version, apis: RUNTIME_API_VERSIONS.map(([id, v]) => [id, v] as [string, number]) };
}

/**
 * `payment_queryInfo`'s answer: Substrate's `RuntimeDispatchInfo` serde, where
 * `Weight` keeps its snake_case fields, `DispatchClass` is camelCase and the
 * fee a decimal string.
 */
export function dispatchInfoJson(info: ValueOf<typeof runtimeDispatchInfoType>) {
  return {
    weight: { ref_time: Number(info.weight.refTime), proof_size: Number(info.weight.proofSize) },
    class: info.class.tag.toLowerCase(),
    partialFee: info.partialFee.toString(),
  };
}
