/**
 * Benchmarks of the sudo pallet's own work. A call that carries a call is
 * measured carrying the cheapest call that succeeds (a `System.killStorage`
 * of no keys as root, a `System.remark` of no bytes as the account): the
 * weight adds the carried call's own weight.
 *
 * @module
 */
import { defineBenchmarks, ensure } from "../../runtime/benchmarking/mod.ts";
import { dev, type TestExt } from "../../runtime/testing/mod.ts";

const key = dev.alice.publicKey;
const id = (who: Uint8Array) => ({ tag: "Id", value: who });

function succeeded(ext: TestExt, name: string): void {
  const last = ext.events().findLast((e) => e.pallet === "Sudo" && e.name === name);
  ensure(last !== undefined, `no Sudo.${name} event`);
  const result = (last.data as { sudoResult?: { tag: string } }).sudoResult;
  ensure(result === undefined || result.tag === "Ok", `the carried call failed`);
}

/** The sudo pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Sudo",
  benchmarks: {
    sudo: {
      docs: "Read the key, open and close a storage transaction, one event.",
      setup: () => ({
        call: "sudo",
        origin: key,
        args: { call: { pallet: "System", call: "killStorage", args: { keys: [] } } },
      }),
      verify: (ext) => succeeded(ext, "Sudid"),
    },
    setKey: {
      docs: "Read the key, write it, one event.",
      setup: () => ({ call: "setKey", origin: key, args: { new: id(dev.bob.publicKey) } }),
      verify: (ext) => succeeded(ext, "KeyChanged"),
    },
    sudoAs: {
      docs: "Read the key, open and close a storage transaction, one event.",
      setup: () => ({
        call: "sudoAs",
        origin: key,
        args: {
          who: id(dev.bob.publicKey),
          call: { pallet: "System", call: "remark", args: { remark: new Uint8Array() } },
        },
      }),
      verify: (ext) => succeeded(ext, "SudoAsDone"),
    },
    removeKey: {
      docs: "Read the key, remove it, one event.",
      setup: () => ({ call: "removeKey", origin: key, args: {} }),
      verify: (ext) => succeeded(ext, "KeyRemoved"),
    },
  },
});
