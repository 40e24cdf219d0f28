import assert from "node:assert/strict";
import fc from "fast-check";
import { Bytes, compact, Option, Struct, u128, u32, Vector } from "scale-ts";
import { decode, DecodeError, encode, t } from "./types.ts";
import { typeOfDesc } from "./from_desc.ts";
import { fromHex } from "../primitives/hex.ts";
import { runtime } from "../mod.ts";
import { decodeExtrinsic } from "../extrinsic/extrinsic.ts";
import { TransactionValidityError } from "../executive/validity.ts";
import { fromJson, toJson } from "./json.ts";

const sample = t.struct("Sample", {
  a: t.u32,
  b: t.compactU128,
  c: t.vec(t.u128),
  d: t.option(t.bytes),
});
const reference = Struct({ a: u32, b: compact, c: Vector(u128), d: Option(Bytes()) });

const sampleValue = fc.record({
  a: fc.integer({ min: 0, max: 0xffffffff }),
  b: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  c: fc.array(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), { maxLength: 5 }),
  d: fc.option(fc.uint8Array({ maxLength: 80 }), { nil: undefined }),
});

Deno.test("SCALE encoding matches scale-ts byte for byte and round trips", () => {
  fc.assert(fc.property(sampleValue, (v) => {
    const ours = encode(sample, v);
    assert.deepEqual(ours, reference.enc(v));
    assert.deepEqual(decode(sample, ours), { ...v });
  }));
});

Deno.test("decoding rejects trailing bytes and non-canonical compacts", () => {
  assert.throws(() => decode(t.u32, new Uint8Array(5)), DecodeError);
  assert.throws(() => decode(t.compactU32, new Uint8Array([0b01, 0])), /canonical/);
});

Deno.test("every call of the runtime round trips through SCALE and JSON, and metadata alone encodes it alike", () => {
  const metadata = runtime.metadata();
  for (const { pallet } of runtime.pallets) {
    for (const [name, spec] of Object.entries(pallet.calls ?? {})) {
      const desc = t.struct("args", spec.args).desc;
      fc.assert(
        fc.property(arbitraryOf(desc), (json) => {
          const args = fromJson(desc, json, "", metadata) as Record<string, unknown>;
          const bytes = runtime.encodeCall({ pallet: pallet.name, call: name, args });
          // A client without the runtime's code (the CLI) encodes the same bytes from metadata.
          assert.deepEqual(encode(typeOfDesc(desc, metadata), args), bytes.subarray(2));
          const decoded = runtime.decodeCall(bytes);
          assert.equal(decoded.name, name);
          assert.deepEqual(
            toJson(desc, decoded.args, 42, metadata),
            toJson(desc, args, 42, metadata),
          );
        }),
        { numRuns: 30 },
      );
    }
  }
});

Deno.test("random bytes into the extrinsic and call decoders give a typed error, never a crash", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeExtrinsic(bytes);
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
      try {
        runtime.decodeCall(bytes);
      } catch (e) {
        assert.ok(e instanceof TransactionValidityError, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

// deno-lint-ignore no-explicit-any
function arbitraryOf(desc: any): fc.Arbitrary<unknown> {
  switch (desc.kind) {
    case "primitive":
      if (desc.primitive === "bool") return fc.boolean();
      if (desc.primitive === "str") return fc.string({ maxLength: 20 });
      return uint(desc.primitive);
    case "compact":
      return uint(desc.primitive);
    case "bytes":
      return fc.uint8Array({ maxLength: 40 }).map((b) =>
        "0x" + [...b].map((x) => x.toString(16).padStart(2, "0")).join("")
      );
    case "array":
      return fc.uint8Array({ minLength: desc.length, maxLength: desc.length }).map((b) =>
        "0x" + [...b].map((x) => x.toString(16).padStart(2, "0")).join("")
      );
    case "vec":
      return fc.array(arbitraryOf(desc.item), { maxLength: 3 });
    case "option":
      return fc.option(arbitraryOf(desc.inner), { nil: null });
    case "tuple":
      return fc.tuple(...desc.items.map(arbitraryOf));
    case "struct":
      return fc.record(
        Object.fromEntries(
          desc.fields.map((f: { name: string; type: unknown }) => [f.name, arbitraryOf(f.type)]),
        ),
      );
    case "enum":
      return fc.oneof(
        ...desc.variants.map((v: { name: string; type?: unknown }) =>
          v.type ? arbitraryOf(v.type).map((x) => ({ [v.name]: x })) : fc.constant(v.name)
        ),
      );
    case "call":
      // A call argument (sudo's): any remark, or a call without arguments.
      return fc.oneof(
        arbitraryOf(t.struct("args", { remark: t.bytes }).desc).map((args) => ({
          pallet: "System",
          call: "remark",
          args,
        })),
        fc.constant({ pallet: "Sudo", call: "removeKey", args: {} }),
      );
  }
  throw new Error(`no arbitrary for ${desc.kind}`);
}

function uint(primitive: string): fc.Arbitrary<string> {
  const bits = { u8: 8n, u16: 16n, u32: 32n, u64: 64n, u128: 128n }[primitive as "u8"];
  return fc.bigInt({ min: 0n, max: (1n << bits) - 1n }).map(String);
}

Deno.test("typeOfDesc() rebuilds every call argument's and storage value's codec from its description", () => {
  for (const pallet of runtime.metadata().pallets) {
    for (const call of pallet.calls) {
      for (const arg of call.args) {
        assert.deepEqual(typeOfDesc(arg.type).desc, arg.type, `${pallet.name}.${call.name}`);
      }
    }
    for (const item of pallet.storage.items) {
      if (!item.default) continue;
      // A stored default decodes and re-encodes to the same bytes.
      const type = typeOfDesc(item.value);
      const bytes = fromHex(item.default);
      assert.deepEqual(encode(type, decode(type, bytes)), bytes, `${pallet.name}.${item.name}`);
    }
  }
});

Deno.test("accounts in JSON: SS58 with one- and two-byte prefixes, and hex", async () => {
  const { accountFromJson, accountToSs58 } = await import("./json.ts");
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  for (const prefix of [0, 42, 63, 64, 1000, 16383]) {
    const address = accountToSs58(key, prefix);
    assert.deepEqual(accountFromJson(address), key, `prefix ${prefix}`);
  }
  assert.deepEqual(
    accountFromJson(`0x${[...key].map((b) => b.toString(16).padStart(2, "0")).join("")}`),
    key,
  );
  assert.throws(() => accountFromJson("5notanaddress"), /invalid SS58 address/);
});
