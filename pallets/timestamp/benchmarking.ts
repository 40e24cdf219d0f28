/**
 * Benchmarks of the timestamp pallet: `set` in its worst case, a block with
 * an author whose slot the time is checked against.
 *
 * @module
 */
import { defineBenchmarks, ensure } from "../../runtime/benchmarking/mod.ts";
import { authorshipStorage } from "../authorship/mod.ts";
import { timestampStorage as storage } from "./mod.ts";

/** The timestamp pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Timestamp",
  benchmarks: {
    set: {
      docs: "Reads and writes two values, and checks the time against the block's slot.",
      setup(ext) {
        // The test chain set this block's time already: undo that, and give
        // the block an author so that the slot check runs.
        storage.DidUpdate.remove(ext.state);
        const now = storage.Now.get(ext.state) + storage.MinimumPeriod.get(ext.state);
        const slot = now / authorshipStorage.SlotDuration.get(ext.state);
        authorshipStorage.CurrentSlot.set(ext.state, slot);
        authorshipStorage.Author.set(ext.state, new Uint8Array(32).fill(1));
        return { call: "set", origin: "none", args: { now } };
      },
      verify: (ext) => ensure(storage.DidUpdate.get(ext.state), "DidUpdate is not set"),
    },
  },
});
