/**
 * A chain spec's checkpoint, Substrate's `lightSyncState`: a finalized
 * header and the GRANDPA authority set that votes above it, from which a
 * light client starts instead of genesis. A full node writes it
 * (`sync_state_genSyncSpec`, `build-spec --checkpoint-from`);
 * `specCheckpoint` reads it.
 *
 * The fields are `sc-sync-state-rpc`'s, each SCALE in `0x` hex:
 * - `finalizedBlockHeader`: the header;
 * - `grandpaAuthoritySet`: `sc_consensus_grandpa::AuthoritySet`: the
 *   authorities with their weights, the set id, the pending standard changes
 *   (a fork tree: its roots and best finalized number), the pending forced
 *   changes, and the past set changes. This chain enacts a change once the
 *   block scheduling it is final, so a finalized block leaves none pending:
 *   both lists are empty, and every weight is 1.
 *
 * Substrate's BABE fields (`babeEpochChanges`, `babeFinalizedBlockWeight`)
 * have no place on an Aura chain and are refused with any other field.
 *
 * The checkpoint is trusted, as in Substrate: it is the light client's root
 * of trust, and nothing in the spec proves it. Validation checks that it is
 * well formed, no more; a header or set that is not the chain's makes the
 * light client fail later, when no justification a full node serves holds
 * against it. Take a spec with a checkpoint only from whom you would trust
 * with the chain's genesis.
 *
 * @module
 */
import { headerType } from "../runtime/block/header.ts";
import { decode, DecodeError, encode, t, type Type } from "../runtime/codec/types.ts";
import { authorityListType } from "../runtime/consensus/grandpa.ts";
import type { Checkpoint } from "../runtime/consensus/justification.ts";

export type { Checkpoint };
import { fromHex, toHex, toHexRaw } from "../runtime/primitives/hex.ts";
import { ChainSpecError } from "./error.ts";
import { isObject } from "./_json.ts";

/** A spec's `lightSyncState`, as the JSON holds it. */
export interface LightSyncState {
  /** SCALE of the finalized header, `0x` hex. */
  finalizedBlockHeader: string;
  /** SCALE of Substrate's GRANDPA `AuthoritySet` voting above it, `0x` hex. */
  grandpaAuthoritySet: string;
}

/** A pending change, which a finalized block on this chain never leaves. */
const noPendingChange: Type<never> = {
  desc: { kind: "tuple", items: [] },
  encodeTo: () => {
    throw new RangeError("Cannot encode a pending set change: this chain has none at finality");
  },
  decodeFrom: () => {
    throw new DecodeError(
      "a pending set change (this chain enacts each change once the block scheduling it is final)",
    );
  },
};

/** `sc_consensus_grandpa::AuthoritySet<Hash, u32>`, as far as this chain fills it. */
const grandpaAuthoritySetType = t.struct("AuthoritySet", {
  currentAuthorities: authorityListType,
  setId: t.u64,
  pendingStandardChanges: t.struct("ForkTree", {
    roots: t.vec(noPendingChange),
    bestFinalizedNumber: t.option(t.u32),
  }),
  pendingForcedChanges: t.vec(noPendingChange),
  authoritySetChanges: t.vec(t.tuple(t.u64, t.u32)),
});

const FIELDS = ["finalizedBlockHeader", "grandpaAuthoritySet"] as const;

/**
 * The `lightSyncState` of `checkpoint`.
 *
 * @example
 * ```ts
 * import { decodeLightSyncState, encodeLightSyncState } from "./light_sync_state.ts";
 * import { scheduledChangeLog } from "../runtime/consensus/grandpa.ts";
 * const header = {
 *   parentHash: new Uint8Array(32), number: 10, stateRoot: new Uint8Array(32),
 *   extrinsicsRoot: new Uint8Array(32), digest: [scheduledChangeLog([new Uint8Array(32)])],
 * };
 * const json = encodeLightSyncState({
 *   header,
 *   set: { setId: 1n, authorities: [new Uint8Array(32).fill(1)] },
 * });
 * if (decodeLightSyncState(json).set.setId !== 1n) throw new Error("round trip");
 * ```
 */
export function encodeLightSyncState(checkpoint: Checkpoint): LightSyncState {
  const { header, set } = checkpoint;
  return {
    finalizedBlockHeader: toHex(encode(headerType, header)),
    grandpaAuthoritySet: toHex(encode(grandpaAuthoritySetType, {
      currentAuthorities: set.authorities.map((key): [Uint8Array, bigint] => [key, 1n]),
      setId: set.setId,
      // As Substrate's tree after finalizing the header: nothing pending.
      pendingStandardChanges: { roots: [], bestFinalizedNumber: header.number },
      pendingForcedChanges: [],
      // Past sets serve warp proofs in Substrate; a checkpoint needs none.
      authoritySetChanges: [],
    })),
  };
}

/**
 * The checkpoint a spec's `lightSyncState` holds, checked for form (not
 * for truth: it is trusted).
 *
 * @throws {ChainSpecError} naming the bad field (`lightSyncState.grandpaAuthoritySet`, …)
 */
export function decodeLightSyncState(json: unknown): Checkpoint {
  if (!isObject(json)) throw new ChainSpecError("lightSyncState", "expected an object");
  for (const field of Object.keys(json)) {
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new ChainSpecError(
        `lightSyncState.${field}`,
        `unknown field (a checkpoint holds ${
          FIELDS.join(" and ")
        }; BABE's fields have no use here)`,
      );
    }
  }
  const header = decodeField(
    json,
    "finalizedBlockHeader",
    (bytes) => decode(headerType, bytes, "the header"),
  );
  const set = decodeField(json, "grandpaAuthoritySet", (bytes) => {
    const decoded = decode(grandpaAuthoritySetType, bytes, "the authority set");
    return { setId: decoded.setId, authorities: authoritiesOf(decoded.currentAuthorities) };
  });
  return { header, set };
}

/** The keys of an authority list, each of weight 1 and there once; at least one. */
function authoritiesOf(list: [Uint8Array, bigint][]): Uint8Array[] {
  if (!list.length) throw new RangeError("no authorities: a set votes with at least one");
  const seen = new Set<string>();
  for (const [key, weight] of list) {
    const hex = toHexRaw(key);
    if (weight !== 1n) {
      throw new RangeError(`0x${hex} has weight ${weight}: every authority here votes with 1`);
    }
    if (seen.has(hex)) throw new RangeError(`0x${hex} is in the set twice`);
    seen.add(hex);
  }
  return list.map(([key]) => key);
}

/** Field `field` of `json`: `0x` hex SCALE, read by `read`; its errors name the field. */
function decodeField<T>(
  json: Record<string, unknown>,
  field: (typeof FIELDS)[number],
  read: (bytes: Uint8Array) => T,
): T {
  const path = `lightSyncState.${field}`;
  const value = json[field];
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(value)) {
    throw new ChainSpecError(path, "expected 0x hex (SCALE)");
  }
  try {
    return read(fromHex(value));
  } catch (e) {
    // A DecodeError is a RangeError too.
    if (!(e instanceof RangeError)) throw e;
    throw new ChainSpecError(path, e.message);
  }
}
