/**
 * Benchmarks of the system pallet's calls. A remark's bytes can be as many
 * as a block holds (`LIMITS.maxLength`); `killStorage` deletes keys that
 * exist, the costly case.
 *
 * @module
 */
import { account, defineBenchmarks, ensure, hasEvent } from "../../runtime/benchmarking/mod.ts";
import { LIMITS } from "../../runtime/mod.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import type { TestExt } from "../../runtime/testing/mod.ts";

const caller = account("caller", 0).publicKey;
const bytes = { name: "bytes", min: 0, max: LIMITS.maxLength };
const MAX_KILLED_KEYS = 1_000;

function killable(i: number): Uint8Array {
  return blake2_256(new Uint8Array([0xbe, i >> 8, i & 255]));
}

function killed(ext: TestExt, keys: number): boolean {
  for (let i = 0; i < keys; i++) if (ext.state.get(killable(i))) return false;
  return true;
}

/** The system pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "System",
  benchmarks: {
    remark: {
      components: [bytes],
      params: ["bytes"],
      setup: (_ext, c) => ({
        call: "remark",
        origin: caller,
        args: { remark: new Uint8Array(c.bytes) },
      }),
    },
    remarkWithEvent: {
      components: [bytes],
      params: ["bytes"],
      docs: "Hashes the remark.",
      setup: (_ext, c) => ({
        call: "remarkWithEvent",
        origin: caller,
        args: { remark: new Uint8Array(c.bytes).fill(7) },
      }),
      verify: (ext) => ensure(hasEvent(ext, "System", "Remarked"), "no Remarked event"),
    },
    killStorage: {
      components: [{ name: "keys", min: 0, max: MAX_KILLED_KEYS }],
      params: ["keys"],
      docs: "Deletes keys that exist.",
      setup(ext, c) {
        const keys = Array.from({ length: c.keys }, (_, i) => killable(i));
        for (const key of keys) ext.state.set(key, new Uint8Array(32).fill(1));
        return { call: "killStorage", origin: "root", args: { keys } };
      },
      verify: (ext, c) => ensure(killed(ext, c.keys), "a key survived killStorage"),
    },
  },
});
