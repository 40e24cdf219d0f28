/**
 * Slot authorship as Substrate's Aura lays it out: the slot travels in a
 * `PreRuntime("aura", u64 LE slot)` digest, the author is
 * `authorities[slot % n]` of the parent's state, and the header is sealed with
 * `Seal("aura", signature)`, the author's ed25519 signature of the hash of the
 * header without the seal.
 *
 * @module
 */
import { blockHash, type DigestItem, type Header } from "../../runtime/block/header.ts";
import { type Keypair, verifyNative } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import type { StateReader } from "../../runtime/storage/overlay.ts";
import { AURA_ENGINE, authorities, slotOf } from "../../pallets/authorship/mod.ts";
import { ImportError } from "../chain/errors.ts";
import type { SealVerifier, TreeBlock } from "../chain/mod.ts";

const ENGINE_ID = new TextEncoder().encode(AURA_ENGINE);

/** The slot of a time (ms since the epoch). */
export function slotAt(timeMs: number, slotDurationMs: number): bigint {
  return BigInt(Math.floor(timeMs / slotDurationMs));
}

/** The pre-runtime digest item announcing `slot`. */
export function slotDigest(slot: bigint): DigestItem {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setBigUint64(0, slot, true);
  return { tag: "PreRuntime", value: [ENGINE_ID, data] };
}

/** The authority expected to author `slot` under `state`, if there is any. */
export function slotAuthor(state: StateReader, slot: bigint): Uint8Array | undefined {
  const keys = authorities(state);
  return keys.length ? keys[Number(slot % BigInt(keys.length))] : undefined;
}

/** `header` with the author's seal appended. */
export function sealHeader(header: Header, author: Keypair): Header {
  const signature = author.sign(blockHash(header));
  return {
    ...header,
    digest: [...header.digest, { tag: "Seal", value: [ENGINE_ID, signature] }],
  };
}

/** Checks seals against the parent's authority set and the current time. */
export class AuraVerifier implements SealVerifier {
  /**
   * @param nowMs the clock: slots from the future (beyond one slot of drift) are refused
   * @param slotDurationMs the chain's slot duration
   */
  constructor(readonly nowMs: () => number, readonly slotDurationMs: number) {}

  verify(header: Header, parent: TreeBlock, parentState: StateReader): void {
    const hash = toHex(blockHash(header));
    const seal = header.digest.at(-1);
    if (seal?.tag !== "Seal" || !sameEngine(seal.value[0])) {
      throw new ImportError("IMPORT_ERROR_BAD_SEAL", { hash, reason: "no aura seal last" });
    }
    const unsealed: Header = { ...header, digest: header.digest.slice(0, -1) };
    const slot = slotOf(unsealed.digest);
    if (slot === undefined) {
      throw new ImportError("IMPORT_ERROR_BAD_SEAL", { hash, reason: "no slot digest" });
    }
    const parentSlot = slotOf(parent.header.digest) ?? -1n;
    if (slot <= parentSlot) {
      throw new ImportError("IMPORT_ERROR_BAD_SEAL", {
        hash,
        reason: `slot ${slot} is not after the parent's ${parentSlot}`,
      });
    }
    const current = slotAt(this.nowMs(), this.slotDurationMs);
    if (slot > current + 1n) {
      throw new ImportError("IMPORT_ERROR_FUTURE_SLOT", {
        hash,
        slot: `${slot}`,
        current: `${current}`,
      });
    }
    const author = slotAuthor(parentState, slot);
    if (!author) {
      throw new ImportError("IMPORT_ERROR_WRONG_AUTHOR", { hash, reason: "no authorities" });
    }
    if (!verifyNative(seal.value[1], blockHash(unsealed), author)) {
      throw new ImportError("IMPORT_ERROR_WRONG_AUTHOR", {
        hash,
        slot: `${slot}`,
        expected: toHex(author),
      });
    }
  }
}

function sameEngine(id: Uint8Array): boolean {
  return id.length === 4 && id.every((b, i) => b === ENGINE_ID[i]);
}
