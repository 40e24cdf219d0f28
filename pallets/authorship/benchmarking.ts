/**
 * Benchmarks of the authorship pallet: its `onInitialize` in a block that
 * carries a slot, which reads the authority set to find the slot's author.
 *
 * @module
 */
import { defineBenchmarks, ensure } from "../../runtime/benchmarking/mod.ts";
import type { DigestItem } from "../../runtime/block/header.ts";
import { systemStorage } from "../system/mod.ts";
import { AURA_ENGINE, authorshipStorage as storage } from "./mod.ts";

/**
 * The most authorities benchmarked: staking's `MAX_VALIDATORS`, the cap on
 * `ValidatorCount` (its genesis and root's `setValidatorCount` refuse more),
 * so no authority set is heavier than `WEIGHTS.onInitialize` says. Staking's
 * tests check that the two figures agree.
 */
export const MAX_AUTHORITIES = 1_000;

function slotDigest(slot: bigint): DigestItem {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setBigUint64(0, slot, true);
  return { tag: "PreRuntime", value: [new TextEncoder().encode(AURA_ENGINE), data] };
}

/** The authorship pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Authorship",
  benchmarks: {
    onInitialize: {
      docs: `The \`onInitialize\` hook in a block with a slot, with up to ${MAX_AUTHORITIES} ` +
        "authorities (staking's `MAX_VALIDATORS`, the most `ValidatorCount` may be).",
      components: [{ name: "authorities", min: 1, max: MAX_AUTHORITIES }],
      setup(ext, c) {
        const keys = Array.from(
          { length: c.authorities },
          (_, i) =>
            new Uint8Array(32).fill(i & 255).map((b, j) => j < 4 ? (i >> (8 * j)) & 255 : b),
        );
        storage.Authorities.set(ext.state, keys);
        const slot = storage.CurrentSlot.get(ext.state) + 1_000_003n;
        systemStorage.Digest.set(ext.state, [slotDigest(slot)]);
        return { hook: "onInitialize" };
      },
      verify: (ext) => ensure(storage.Author.exists(ext.state), "the block has no author"),
    },
  },
});
