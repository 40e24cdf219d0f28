import assert from "node:assert/strict";
import { decAnyMetadata } from "@polkadot-api/substrate-bindings";
import { Metadata, TypeRegistry as PjsRegistry } from "@polkadot/types";
import { runtime } from "../mod.ts";
import { dev, TestExt } from "../testing/mod.ts";
import { METADATA_VERSIONS, metadataBytes } from "./mod.ts";
import { RUNTIME_API_METADATA } from "../api/mod.ts";
import { runtimeGenesis } from "../../chain-spec/presets.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The dev chain, whose state holds the constants its chain spec fixed at genesis. */
const devChain = new TestExt();

function papi(version: 14 | 15): Any {
  const decoded = decAnyMetadata(metadataBytes(runtime, version, devChain.state));
  assert.deepEqual(decoded.metadata.tag, `v${version}`);
  return decoded.metadata.value;
}

function pjs(version: 14 | 15): { registry: PjsRegistry; metadata: Metadata } {
  const registry = new PjsRegistry();
  const metadata = new Metadata(registry, metadataBytes(runtime, version, devChain.state));
  registry.setMetadata(metadata);
  return { registry, metadata };
}

/** Every type id a decoded metadata refers to, with where it is referred to. */
function referencedIds(m: Any, version: 14 | 15): [number, string][] {
  const out: [number, string][] = [];
  const fields = (fs: Any[], at: string) => fs.forEach((f) => out.push([f.type, at]));
  for (const t of m.lookup) {
    const at = `type ${t.id} ${t.path.join("::")}`;
    for (const p of t.params) if (p.type !== undefined) out.push([p.type, at]);
    const d = t.def;
    if (d.tag === "composite") fields(d.value, at);
    else if (d.tag === "variant") { for (const v of d.value) fields(v.fields, at); }
    else if (d.tag === "sequence" || d.tag === "compact") out.push([d.value, at]);
    else if (d.tag === "array") out.push([d.value.type, at]);
    else if (d.tag === "tuple") { for (const id of d.value) out.push([id, at]); }
  }
  for (const p of m.pallets) {
    for (const s of p.storage?.items ?? []) {
      if (s.type.tag === "plain") out.push([s.type.value, p.name]);
      else out.push([s.type.value.key, p.name], [s.type.value.value, p.name]);
    }
    for (const id of [p.calls, p.events, p.errors]) {
      const ty = typeof id === "object" && id !== null ? id.type : id;
      if (ty !== undefined) out.push([ty, p.name]);
    }
    for (const c of p.constants) out.push([c.type, `${p.name}.${c.name}`]);
  }
  const x = m.extrinsic;
  if (version === 14) out.push([x.type, "extrinsic"]);
  else out.push([x.address, "x"], [x.call, "x"], [x.signature, "x"], [x.extra, "x"]);
  for (const e of x.signedExtensions) out.push([e.type, e.identifier], [e.additionalSigned, "add"]);
  out.push([m.type, "runtime"]);
  if (version === 15) {
    out.push([m.outerEnums.call, "call"], [m.outerEnums.event, "event"], [m.outerEnums.error, "e"]);
  }
  return out;
}

Deno.test("metadata V14 and V15 are RuntimeMetadataPrefixed: magic 'meta', then the version", () => {
  assert.deepEqual(METADATA_VERSIONS, [14, 15]);
  for (const v of METADATA_VERSIONS) {
    assert.deepEqual([...metadataBytes(runtime, v, devChain.state).subarray(0, 5)], [
      0x6d,
      0x65,
      0x74,
      0x61,
      v,
    ]);
  }
});

Deno.test("metadata bytes are cached per runtime and version", () => {
  assert(metadataBytes(runtime, 15, devChain.state) === metadataBytes(runtime, 15, devChain.state));
});

Deno.test("Balances.ExistentialDeposit is the chain's own, read from its genesis state", () => {
  const existentialDeposit = (bytes: Uint8Array) => {
    const registry = new PjsRegistry();
    const metadata = new Metadata(registry, bytes);
    registry.setMetadata(metadata);
    const balances = metadata.asLatest.pallets.find((p) => p.name.eq("Balances"))!;
    const c = balances.constants.find((c) => c.name.eq("ExistentialDeposit"))!;
    return registry.createTypeUnsafe("u128", [c.value.toU8a(true)]).toString();
  };
  const ed = 7_000_000_000n;
  const { balances } = runtimeGenesis(["Alice"]).balances as { balances: [string, string][] };
  const other = new TestExt({
    balances: {
      existentialDeposit: ed.toString(),
      balances: balances.map(([who, free]) => [who, BigInt(free) < ed ? ed.toString() : free]),
    },
  });
  const otherBytes = metadataBytes(runtime, 15, other.state);
  assert.deepEqual(existentialDeposit(otherBytes), ed.toString());
  assert.deepEqual(existentialDeposit(metadataBytes(runtime, 15, devChain.state)), "1000000000");
  assert(otherBytes !== metadataBytes(runtime, 15, devChain.state));
});

Deno.test("polkadot-api decodes V14 and V15, and every type id referenced is defined", () => {
  for (const v of METADATA_VERSIONS) {
    const m = papi(v);
    m.lookup.forEach((t: Any, i: number) => assert.deepEqual(t.id, i));
    for (const [id, at] of referencedIds(m, v)) {
      assert(Number.isInteger(id) && id >= 0 && id < m.lookup.length, `${at}: type ${id}`);
    }
    assert.deepEqual(
      m.pallets.map((p: Any) => [p.name, p.index]),
      runtime.pallets.map((p) => [p.pallet.name, p.index]),
    );
  }
});

Deno.test("calls, call arguments and event fields are snake_case; storage, events, errors PascalCase", () => {
  const m = papi(15);
  const variants = (ref: Any): Any[] =>
    m.lookup[typeof ref === "object" ? ref.type : ref].def.value;
  const snake = /^[a-z][a-z0-9_]*$/;
  const pascal = /^[A-Z][A-Za-z0-9]*$/;
  for (const p of m.pallets) {
    for (const c of p.calls ? variants(p.calls) : []) {
      assert(snake.test(c.name), `${p.name}.${c.name}`);
      for (const f of c.fields) assert(snake.test(f.name), `${p.name}.${c.name}.${f.name}`);
    }
    for (const e of p.events ? variants(p.events) : []) {
      assert(pascal.test(e.name), `${p.name}.${e.name}`);
      for (const f of e.fields) assert(snake.test(f.name), `${p.name}.${e.name}.${f.name}`);
    }
    for (const e of p.errors ? variants(p.errors) : []) {
      assert(pascal.test(e.name), `${p.name}.${e.name}`);
    }
    for (const s of p.storage?.items ?? []) assert(pascal.test(s.name), `${p.name}.${s.name}`);
    for (const c of p.constants) assert(pascal.test(c.name), `${p.name}.${c.name}`);
  }
  const balances = m.pallets.find((p: Any) => p.name === "Balances");
  const names = variants(balances.calls).map((c: Any) => c.name);
  assert(names.includes("transfer_keep_alive"), names.join());
});

Deno.test("the well-known types have Substrate's paths", () => {
  for (const v of METADATA_VERSIONS) {
    const paths = new Set<string>(papi(v).lookup.map((t: Any) => t.path.join("::")));
    for (
      const path of [
        "sp_core::crypto::AccountId32",
        "sp_runtime::multiaddress::MultiAddress",
        "sp_runtime::MultiSignature",
        "sp_runtime::generic::era::Era",
        "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic",
        "frame_system::EventRecord",
        "frame_system::Phase",
        "frame_system::AccountInfo",
        "pallet_balances::types::AccountData",
        "sp_weights::weight_v2::Weight",
        "sp_runtime::DispatchError",
        "sp_runtime::ModuleError",
        "sp_runtime::TokenError",
        "sp_arithmetic::ArithmeticError",
        "sp_runtime::TransactionalError",
        "frame_support::dispatch::DispatchInfo",
        "frame_support::dispatch::DispatchClass",
        "frame_support::dispatch::Pays",
        "sutantra_runtime::RuntimeCall",
        "sutantra_runtime::RuntimeEvent",
        "sutantra_runtime::RuntimeError",
        "pallet_balances::pallet::Call",
        "pallet_balances::pallet::Event",
        "pallet_balances::pallet::Error",
        "primitive_types::H256",
        "frame_system::limits::BlockWeights",
        "sp_version::RuntimeVersion",
      ]
    ) assert(paths.has(path), `${path} in V${v}`);
    const oneWord = [...paths].filter((p) => p && !p.includes("::"));
    assert.deepEqual(oneWord.sort(), ["Option", "Result"].filter((p) => paths.has(p)));
  }
});

Deno.test("UncheckedExtrinsic names its Address, Call, Signature and Extra", () => {
  const m = papi(14);
  const x = m.lookup[m.extrinsic.type];
  assert.deepEqual(x.params.map((p: Any) => p.name), ["Address", "Call", "Signature", "Extra"]);
  const [address, call, signature, extra] = x.params.map((p: Any) => m.lookup[p.type]);
  assert.deepEqual(address.path.join("::"), "sp_runtime::multiaddress::MultiAddress");
  assert.deepEqual(call.path.join("::"), "sutantra_runtime::RuntimeCall");
  assert.deepEqual(signature.path.join("::"), "sp_runtime::MultiSignature");
  assert.deepEqual(extra.def.value.length, m.extrinsic.signedExtensions.length);
  // Vouchers and receipts take the extrinsics' MultiSignature: one type, Substrate's path.
  const ids = m.lookup.filter((t: Any) => t.path.at(-1) === "MultiSignature").map((t: Any) => t.id);
  assert.deepEqual(ids, [x.params[2].type]);
});

Deno.test("polkadot.js reads V14 and V15: every storage default and constant round-trips through its type", () => {
  for (const v of METADATA_VERSIONS) {
    const { registry, metadata } = pjs(v);
    const latest = metadata.asLatest;
    for (const pallet of latest.pallets) {
      for (const c of pallet.constants) {
        const bytes = c.value.toU8a(true);
        const value = registry.createTypeUnsafe(registry.createLookupType(c.type), [bytes]);
        assert.deepEqual(value.toU8a(), bytes, `${pallet.name}.${c.name} in V${v}`);
      }
      for (const s of pallet.storage.unwrapOr(undefined)?.items ?? []) {
        const bytes = s.fallback.toU8a(true);
        const type = s.type.isPlain ? s.type.asPlain : s.type.asMap.value;
        const typeName = s.modifier.isOptional
          ? `Option<${registry.createLookupType(type)}>`
          : registry.createLookupType(type);
        const value = registry.createTypeUnsafe(typeName, [bytes]);
        assert.deepEqual(value.toU8a(), bytes, `${pallet.name}.${s.name} in V${v}`);
      }
    }
  }
});

Deno.test("polkadot.js sees the constants clients need, and System.Account's zeroed default", () => {
  const { registry, metadata } = pjs(14);
  const pallet = (name: string) => metadata.asLatest.pallets.find((p) => p.name.eq(name))!;
  const constant = (p: string, c: string): Any => {
    const found = pallet(p).constants.find((x) => x.name.eq(c))!;
    assert(found, `${p}.${c}`);
    return registry.createTypeUnsafe(registry.createLookupType(found.type), [
      found.value.toU8a(true),
    ]);
  };
  assert.deepEqual(
    constant("System", "Version").specVersion.toNumber(),
    runtime.version.specVersion,
  );
  assert.deepEqual(constant("System", "Version").specName.toString(), runtime.version.specName);
  assert.deepEqual(constant("System", "SS58Prefix").toNumber(), runtime.ss58Format);
  assert.deepEqual(
    constant("System", "BlockWeights").maxBlock.refTime.toBigInt(),
    BigInt(runtime.limits.maxWeight),
  );
  assert.deepEqual(
    constant("System", "BlockWeights").perClass.normal.maxTotal.unwrap().refTime.toBigInt(),
    BigInt(runtime.limits.maxWeight) * 75n / 100n,
  );
  assert.deepEqual(constant("System", "BlockLength").max.operational.toNumber(), 5 * 1024 * 1024);
  assert.deepEqual(constant("Balances", "ExistentialDeposit").toBigInt(), 1_000_000_000n);
  const account = pallet("System").storage.unwrap().items.find((s) => s.name.eq("Account"))!;
  assert(account.modifier.isDefault);
  const info: Any = registry.createTypeUnsafe(
    registry.createLookupType(account.type.asMap.value),
    [account.fallback.toU8a(true)],
  );
  assert.deepEqual(info.data.free.toBigInt(), 0n);
  assert.deepEqual(info.nonce.toNumber(), 0);
});

Deno.test("polkadot.js decodes the runtime's calls and the events of a transfer by metadata", () => {
  const { registry } = pjs(14);
  const callBytes = runtime.encodeCall({
    pallet: "Balances",
    call: "transferKeepAlive",
    args: { dest: { tag: "Id", value: dev.bob.publicKey }, value: 5n },
  });
  const call: Any = registry.createType("Call", callBytes);
  assert.deepEqual([call.section, call.method], ["balances", "transferKeepAlive"]);
  assert.deepEqual(call.args[1].toBigInt(), 5n);
  assert.deepEqual(call.toU8a(), callBytes);

  const ext = new TestExt();
  const result = ext.apply(
    "Balances",
    "transferKeepAlive",
    { dest: { tag: "Id", value: dev.bob.publicKey }, value: 10n ** 12n },
    dev.alice,
  );
  assert(result.ok);
  const raw = runtime.system.events(ext.state)!;
  const records: Any = registry.createType("Vec<EventRecord>", raw);
  assert.deepEqual(records.toU8a(), raw);
  const names = records.map((r: Any) => `${r.event.section}.${r.event.method}`);
  assert(names.includes("balances.Transfer"), names.join());
  assert(names.includes("system.ExtrinsicSuccess"), names.join());
  const transfer = records.find((r: Any) => r.event.method === "Transfer").event;
  assert.deepEqual(transfer.data.amount?.toBigInt() ?? transfer.data[2].toBigInt(), 10n ** 12n);
});

Deno.test("V15 lists the runtime API table, and System.Version its ids and versions", () => {
  const bytes = metadataBytes(runtime, 15, devChain.state, RUNTIME_API_METADATA);
  const m: Any = decAnyMetadata(bytes).metadata.value;
  assert.deepEqual(m.apis.map((a: Any) => a.name), RUNTIME_API_METADATA.map((a) => a.name));
  for (const [id] of referencedIds(m, 15)) assert(id < m.lookup.length);
  for (const api of m.apis) {
    for (const method of api.methods) {
      for (const input of method.inputs) assert(input.type < m.lookup.length);
      assert(method.output < m.lookup.length, `${api.name}.${method.name}`);
    }
  }
  const registry = new PjsRegistry();
  const metadata = new Metadata(registry, bytes);
  registry.setMetadata(metadata);
  const system = metadata.asLatest.pallets.find((p) => p.name.eq("System"))!;
  const version = system.constants.find((c) => c.name.eq("Version"))!;
  const decoded: Any = registry.createTypeUnsafe(registry.createLookupType(version.type), [
    version.value.toU8a(true),
  ]);
  const nonce = decoded.apis.find(([id]: Any) => id.toHex() === "0xbc9d89904f5b923f");
  assert(nonce, "AccountNonceApi's id is blake2-64 of its name, as in Substrate");
});

Deno.test("bounded inputs show as BoundedVec<u8, _>: a stream's title and metadata, a relay's endpoint", () => {
  for (const v of METADATA_VERSIONS) {
    const m = papi(v);
    const lookup = new Map<number, Any>(m.lookup.map((t: Any) => [t.id, t]));
    const callFields = (pallet: string, call: string): Map<string, Any> => {
      const id = m.pallets.find((p: Any) => p.name === pallet).calls;
      const calls = lookup.get(typeof id === "number" ? id : id.type);
      const variant = calls.def.value.find((c: Any) => c.name === call);
      return new Map(variant.fields.map((f: Any) => [f.name, lookup.get(f.type)]));
    };
    const stream = callFields("Streams", "create_stream");
    const relay = callFields("QosRewards", "register_relay");
    for (const type of [stream.get("title"), stream.get("meta"), relay.get("endpoint")]) {
      assert.equal(type.path.join("::"), "bounded_collections::bounded_vec::BoundedVec", `V${v}`);
      assert.equal(type.def.tag, "composite");
    }
  }
});
