import assert from "node:assert/strict";
import {
  _void,
  Bytes,
  compact,
  Hex,
  metadata,
  Option,
  str,
  Struct,
  Tuple,
  u128,
  u32,
  u64,
  u8,
  Variant,
  Vector,
} from "@polkadot-api/substrate-bindings";
import { TOKEN } from "../../chain-spec/presets.ts";
import { blockHash, encodeHeader, headerType } from "../block/header.ts";
import { decode, encode, t } from "../codec/types.ts";
import { toHex } from "../primitives/hex.ts";
import { runtime } from "../mod.ts";
import { dev, TestExt, thrownBy } from "../testing/mod.ts";
import {
  apiId,
  ApiState,
  callRuntimeApi,
  callRuntimeApiAt,
  RUNTIME_API_VERSIONS,
  RuntimeApiError,
  runtimeApiMetadata,
  TableBlockBuilder,
  TIMESTAMP_INHERENT,
  validateTransactionAt,
} from "./mod.ts";
import { TransactionValidityError } from "../executive/validity.ts";
import { encodeBare } from "../extrinsic/extrinsic.ts";
import { validityCodec } from "./reference_codecs.ts";

/** Substrate's ids, as a Substrate node's `state_getRuntimeVersion` lists them. */
const SUBSTRATE_IDS: Record<string, string> = {
  Core: "0xdf6acb689907609b",
  Metadata: "0x37e397fc7c91f5e4",
  BlockBuilder: "0x40fe3ad401f8959a",
  TaggedTransactionQueue: "0xd2bc9897eed08f15",
  AccountNonceApi: "0xbc9d89904f5b923f",
  TransactionPaymentApi: "0x37c8bb1350a9a2a8",
  TransactionPaymentCallApi: "0xf3ff14d5ab527059",
  SessionKeys: "0xab3c0572291feb8b",
  GrandpaApi: "0xed99c5acb25eedf5",
  AuraApi: "0xdd718d5cc53262d4",
};

const empty = new Uint8Array();
const u32le = (n: number) => encode(t.u32, n);
const weightCodec = Struct({ ref_time: compact, proof_size: compact });
const dispatchInfoCodec = Struct({
  weight: weightCodec,
  class: Variant({ Normal: _void, Operational: _void, Mandatory: _void }),
  partial_fee: u128,
});
/** A chain one block past genesis, and a transfer from Alice signed for the next block. */
function chain() {
  const ext = new TestExt();
  ext.nextBlock();
  const transfer = ext.signed("Balances", "transferKeepAlive", {
    dest: { tag: "Id", value: dev.bob.publicKey },
    value: TOKEN,
  }, dev.alice);
  const call = (name: string, input: Uint8Array = empty) =>
    callRuntimeApiAt(ext, ext.parent, name, input);
  return { ext, transfer, call };
}

Deno.test("API ids are blake2-64 of the names, as Substrate's", () => {
  for (const [name, id] of Object.entries(SUBSTRATE_IDS)) assert.equal(apiId(name), id, name);
  const versions = Object.fromEntries(RUNTIME_API_VERSIONS);
  assert.deepEqual(versions, {
    [SUBSTRATE_IDS.Core]: 5,
    [SUBSTRATE_IDS.Metadata]: 2,
    [SUBSTRATE_IDS.BlockBuilder]: 6,
    [SUBSTRATE_IDS.TaggedTransactionQueue]: 3,
    [SUBSTRATE_IDS.AccountNonceApi]: 1,
    [SUBSTRATE_IDS.TransactionPaymentApi]: 4,
    [SUBSTRATE_IDS.TransactionPaymentCallApi]: 3,
    [SUBSTRATE_IDS.SessionKeys]: 1,
    [SUBSTRATE_IDS.GrandpaApi]: 3,
    [SUBSTRATE_IDS.AuraApi]: 1,
  });
});

Deno.test("Core_version is Substrate's RuntimeVersion with the API list", () => {
  const out = chain().call("Core_version");
  const version = Struct({
    spec_name: str,
    impl_name: str,
    authoring_version: u32,
    spec_version: u32,
    impl_version: u32,
    apis: Vector(Tuple(Hex(8), u32)),
    transaction_version: u32,
    system_version: u8,
  }).dec(out);
  assert.equal(version.spec_name, "sutantra");
  assert.equal(version.spec_version, runtime.version.specVersion);
  assert.equal(version.transaction_version, runtime.version.transactionVersion);
  assert.equal(version.system_version, runtime.version.stateVersion);
  assert.deepEqual(version.apis, RUNTIME_API_VERSIONS.map(([id, v]) => [id, v]));
});

Deno.test("AccountNonceApi_account_nonce reads the account's nonce at the block called at", () => {
  const { ext, transfer, call } = chain();
  assert.deepEqual(call("AccountNonceApi_account_nonce", dev.alice.publicKey), u32le(0));
  assert.ok(ext.applyExtrinsic(transfer).ok);
  ext.nextBlock();
  assert.equal(u32.dec(call("AccountNonceApi_account_nonce", dev.alice.publicKey)), 1);
  assert.equal(u32.dec(call("AccountNonceApi_account_nonce", dev.bob.publicKey)), 0);
});

Deno.test("TaggedTransactionQueue_validate_transaction: a valid transfer and its tags", () => {
  const { ext, transfer, call } = chain();
  const input = new Uint8Array([2, ...transfer, ...blockHash(ext.parent)]); // External
  const out = validityCodec.dec(call("TaggedTransactionQueue_validate_transaction", input));
  assert.ok(out.success);
  const valid = out.value as { priority: bigint; provides: Uint8Array[]; requires: Uint8Array[] };
  assert.equal(valid.priority, 0n);
  assert.deepEqual(valid.requires, []);
  assert.deepEqual(valid.provides.map(toHex), [
    toHex(new Uint8Array([...dev.alice.publicKey, 0, 0, 0, 0])),
  ]);
});

Deno.test("TaggedTransactionQueue_validate_transaction: a stale nonce is Err(Invalid(Stale))", () => {
  const { ext, transfer, call } = chain();
  assert.ok(ext.applyExtrinsic(transfer).ok);
  ext.nextBlock();
  const out = call(
    "TaggedTransactionQueue_validate_transaction",
    new Uint8Array([2, ...transfer, ...blockHash(ext.parent)]),
  );
  assert.deepEqual(out, new Uint8Array([1, 0, 3])); // Err, Invalid, Stale
  const decoded = validityCodec.dec(out);
  assert.deepEqual(decoded, {
    success: false,
    value: { type: "Invalid", value: { type: "Stale", value: undefined } },
  });
});

Deno.test("TransactionPaymentApi_query_info and query_fee_details: the fee and its parts", () => {
  const { ext, transfer, call } = chain();
  const len = transfer.length;
  const info = dispatchInfoCodec.dec(
    call("TransactionPaymentApi_query_info", new Uint8Array([...transfer, ...u32le(len)])),
  );
  const expected = ext.executive.queryInfo(ext.parent, transfer);
  assert.equal(info.partial_fee, expected.partialFee);
  assert.equal(info.weight.ref_time, expected.weight);
  assert.equal(info.class.type, "Normal");
  // baseFee + lengthFee × len + weightFee × weight / 1e6 (the dev chain spec's parameters)
  const weightFee = BigInt(expected.weight) * (TOKEN / 1_000_000n) / 1_000_000n;
  assert.equal(info.partial_fee, TOKEN / 1000n + (TOKEN / 1_000_000n) * BigInt(len) + weightFee);
  // `len` is the caller's: query_info charges the length it is told.
  const longer = dispatchInfoCodec.dec(
    call("TransactionPaymentApi_query_info", new Uint8Array([...transfer, ...u32le(len + 10)])),
  );
  assert.equal(longer.partial_fee - info.partial_fee, 10n * (TOKEN / 1_000_000n));

  const details = Struct({
    inclusion_fee: Option(Struct({ base_fee: u128, len_fee: u128, adjusted_weight_fee: u128 })),
    tip: u128,
  }).dec(
    call("TransactionPaymentApi_query_fee_details", new Uint8Array([...transfer, ...u32le(len)])),
  );
  assert.deepEqual(details, {
    inclusion_fee: {
      base_fee: TOKEN / 1000n,
      len_fee: (TOKEN / 1_000_000n) * BigInt(len),
      adjusted_weight_fee: weightFee,
    },
    tip: 0n,
  });
  assert.equal(
    u128.dec(call("TransactionPaymentApi_query_length_to_fee", u32le(100))),
    100n * (TOKEN / 1_000_000n),
  );
  assert.equal(
    u128.dec(
      call(
        "TransactionPaymentApi_query_weight_to_fee",
        weightCodec.enc({
          ref_time: 2_000_000n,
          proof_size: 0n,
        }),
      ),
    ),
    2n * (TOKEN / 1_000_000n),
  );
});

Deno.test("TransactionPaymentCallApi_query_call_info prices a bare call", () => {
  const { ext, transfer, call } = chain();
  const callBytes = runtime.encodeCall({
    pallet: "Balances",
    call: "transferKeepAlive",
    args: { dest: { tag: "Id", value: dev.bob.publicKey }, value: TOKEN },
  });
  const len = transfer.length;
  const viaCall = dispatchInfoCodec.dec(
    call(
      "TransactionPaymentCallApi_query_call_info",
      new Uint8Array([...callBytes, ...u32le(len)]),
    ),
  );
  assert.equal(viaCall.partial_fee, ext.executive.queryInfo(ext.parent, transfer).partialFee);
  assert.throws(
    () => call("TransactionPaymentCallApi_query_call_info", new Uint8Array([0xff, 0, 0, 0, 0])),
    (e) => e instanceof RuntimeApiError && e.code === "RUNTIME_API_BAD_INPUT",
  );
});

Deno.test("AuraApi and GrandpaApi read the authority set", () => {
  const { call } = chain();
  assert.equal(u64.dec(call("AuraApi_slot_duration")), 6000n);
  const aura = Vector(Hex(32)).dec(call("AuraApi_authorities"));
  assert.deepEqual(aura, [toHex(dev.alice.publicKey)]);
  const grandpa = Vector(Tuple(Hex(32), u64)).dec(call("GrandpaApi_grandpa_authorities"));
  assert.deepEqual(grandpa, [[toHex(dev.alice.publicKey), 1n]]);
  assert.equal(typeof u64.dec(call("GrandpaApi_current_set_id")), "bigint");
});

Deno.test("SessionKeys: one ed25519 key decodes for aura and gran; generating is refused", () => {
  const { call } = chain();
  const key = dev.alice.publicKey;
  const out = Option(Vector(Tuple(Bytes(), Bytes(4)))).dec(
    call("SessionKeys_decode_session_keys", encode(t.bytes, key)),
  );
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.deepEqual(out?.map(([k, type]) => [toHex(k), text(type)]), [
    [toHex(key), "aura"],
    [toHex(key), "gran"],
  ]);
  assert.deepEqual(
    call("SessionKeys_decode_session_keys", encode(t.bytes, key.slice(1))),
    new Uint8Array([0]),
  );
  assert.throws(
    () => call("SessionKeys_generate_session_keys", new Uint8Array([0])),
    /no keystore is reachable/,
  );
});

Deno.test("BlockBuilder: inherents, apply_extrinsic, finalize_block build the block on a throwaway state", () => {
  const { ext, transfer } = chain();
  const state = new ApiState(ext, ext.parent);
  const data = encode(t.vec(t.tuple(t.fixedBytes(8), t.bytes)), [
    [TIMESTAMP_INHERENT, encode(t.u64, 1_700_000_012_000n)],
  ]);
  const inherents = decode(
    t.vec(t.bytes),
    callRuntimeApi(ext, state, "BlockBuilder_inherent_extrinsics", data),
  );
  assert.equal(inherents.length, 1);
  const timestamp = encode(t.bytes, inherents[0]);
  const applied = (bytes: Uint8Array) =>
    callRuntimeApi(ext, state, "BlockBuilder_apply_extrinsic", bytes);
  assert.deepEqual(applied(timestamp), new Uint8Array([0, 0])); // Ok(Ok(()))
  assert.deepEqual(applied(transfer), new Uint8Array([0, 0]));
  assert.deepEqual(applied(transfer), new Uint8Array([1, 0, 3])); // the nonce is used: Stale
  const header = decode(
    headerType,
    callRuntimeApi(ext, state, "BlockBuilder_finalize_block", empty),
  );
  assert.equal(header.number, ext.parent.number + 1);
  assert.deepEqual(header.parentHash, blockHash(ext.parent));
  // Nothing reached the chain: Alice's nonce is still 0 at the block called at.
  assert.deepEqual(
    callRuntimeApiAt(ext, ext.parent, "AccountNonceApi_account_nonce", dev.alice.publicKey),
    u32le(0),
  );
  // The block built executes on its parent (Core_execute_block) ...
  const block = new Uint8Array([...encodeHeader(header), 2 << 2, ...timestamp, ...transfer]);
  assert.deepEqual(callRuntimeApiAt(ext, ext.parent, "Core_execute_block", block), empty);
  // ... and check_inherents accepts its timestamp, but not against a clock two slots behind.
  const checks = (now: bigint) =>
    callRuntimeApiAt(
      ext,
      ext.parent,
      "BlockBuilder_check_inherents",
      new Uint8Array([
        ...block,
        ...encode(t.vec(t.tuple(t.fixedBytes(8), t.bytes)), [
          [TIMESTAMP_INHERENT, encode(t.u64, now)],
        ]),
      ]),
    );
  assert.deepEqual(checks(1_700_000_012_000n), new Uint8Array([1, 0, 0]));
  assert.equal(checks(1_700_000_000_000n)[0], 0); // okay: false
});

Deno.test("TableBlockBuilder seals the block the executive's builder would, and refuses what it must", () => {
  const { ext, transfer } = chain();
  const now = 1_700_000_012_000n;
  const digest = [{
    tag: "PreRuntime" as const,
    value: [new Uint8Array([1, 2, 3, 4]), u32le(7)] as [Uint8Array, Uint8Array],
  }];
  const viaTable = new TableBlockBuilder(ext, ext.parent, digest, now);
  viaTable.applyExtrinsic(transfer);
  const refusal = thrownBy(TransactionValidityError, () => viaTable.applyExtrinsic(transfer));
  assert.deepEqual([refusal.kind, refusal.reason], ["Invalid", "Stale"]);

  const direct = ext.executive.buildBlock(ext.parent, digest);
  direct.applyExtrinsic(
    encodeBare(runtime.encodeCall({ pallet: "Timestamp", call: "set", args: { now } })),
  );
  direct.applyExtrinsic(transfer);
  assert.deepEqual(encodeHeader(viaTable.finish().header), encodeHeader(direct.finish().header));
});

Deno.test("validateTransactionAt gives the pool the runtime's verdict; bytes that are not one extrinsic are Invalid(Call)", () => {
  const { ext, transfer } = chain();
  assert.equal(validateTransactionAt(ext, ext.parent, transfer).longevity > 0n, true);
  for (const bytes of [transfer.subarray(0, 10), new Uint8Array([...transfer, 0])]) {
    const e = thrownBy(
      TransactionValidityError,
      () => validateTransactionAt(ext, ext.parent, bytes),
    );
    assert.deepEqual([e.kind, e.reason], ["Invalid", "Call"]);
  }
  assert.ok(ext.applyExtrinsic(transfer).ok);
  ext.nextBlock();
  const stale = thrownBy(
    TransactionValidityError,
    () => validateTransactionAt(ext, ext.parent, transfer),
  );
  assert.deepEqual([stale.kind, stale.reason], ["Invalid", "Stale"]);
});

Deno.test("an unknown method and undecodable input are refused with Substrate's words", () => {
  const { call } = chain();
  assert.throws(
    () => call("Foo_bar"),
    (e) =>
      e instanceof RuntimeApiError && e.code === "RUNTIME_API_UNKNOWN_METHOD" &&
      e.message === "Exported method Foo_bar is not found",
  );
  assert.throws(
    () => call("AccountNonceApi_account_nonce", new Uint8Array(31)),
    (e) =>
      e instanceof RuntimeApiError && e.code === "RUNTIME_API_BAD_INPUT" &&
      /Bad input data provided to AccountNonceApi_account_nonce/.test(e.message),
  );
  assert.throws(() => call("AccountNonceApi_account_nonce", new Uint8Array(33)), /trailing/);
});

Deno.test("runtimeApiMetadata lists every method with its inputs and output", () => {
  const apis = runtimeApiMetadata();
  const payment = apis.find((a) => a.name === "TransactionPaymentApi")!;
  const queryInfo = payment.methods.find((m) => m.name === "query_info")!;
  assert.deepEqual(queryInfo.inputs.map((i) => i.name), ["uxt", "len"]);
  assert.equal(queryInfo.output.name, "RuntimeDispatchInfo");
  assert.ok(apis.every((a) => a.docs && a.methods.every((m) => m.docs)));
});

Deno.test("Metadata: versions 14 and 15, V15 listing the runtime APIs; others are None", () => {
  const { call } = chain();
  assert.deepEqual(Vector(u32).dec(call("Metadata_metadata_versions")), [14, 15]);
  const opaque = Option(Bytes()).dec(call("Metadata_metadata_at_version", u32le(15)));
  assert.ok(opaque);
  const decoded = metadata.dec(opaque);
  assert.equal(decoded.metadata.tag, "v15");
  const v15 = decoded.metadata.value as { apis: { name: string; methods: { name: string }[] }[] };
  const nonce = v15.apis.find((a) => a.name === "AccountNonceApi");
  assert.deepEqual(nonce?.methods.map((m) => m.name), ["account_nonce"]);
  assert.deepEqual(
    v15.apis.map((a) => a.name),
    runtimeApiMetadata().map((a) => a.name),
  );
  assert.equal(metadata.dec(Bytes().dec(call("Metadata_metadata"))).metadata.tag, "v14");
  assert.deepEqual(call("Metadata_metadata_at_version", u32le(16)), new Uint8Array([0]));
});

Deno.test("Core_initialize_block starts the block BlockBuilder calls then fill; a non-child is refused", () => {
  const { ext } = chain();
  const state = new ApiState(ext, ext.parent);
  const child = {
    parentHash: blockHash(ext.parent),
    number: ext.parent.number + 1,
    stateRoot: new Uint8Array(32),
    extrinsicsRoot: new Uint8Array(32),
    digest: [],
  };
  const init = (header: typeof child) =>
    callRuntimeApi(ext, state, "Core_initialize_block", encodeHeader(header));
  assert.deepEqual(init(child), new Uint8Array([0])); // ExtrinsicInclusionMode::AllExtrinsics
  const started = state.builder;
  assert.ok(started);
  const data = encode(t.vec(t.tuple(t.fixedBytes(8), t.bytes)), [
    [TIMESTAMP_INHERENT, encode(t.u64, 1_700_000_012_000n)],
  ]);
  const [timestamp] = decode(
    t.vec(t.bytes),
    callRuntimeApi(ext, state, "BlockBuilder_inherent_extrinsics", data),
  );
  callRuntimeApi(ext, state, "BlockBuilder_apply_extrinsic", encode(t.bytes, timestamp));
  assert.equal(state.builder, started, "apply_extrinsic went into the initialized block");
  assert.equal(started.extrinsics.length, 1);
  assert.throws(
    () => init({ ...child, number: child.number + 1 }),
    (e) => e instanceof RuntimeApiError && e.code === "RUNTIME_API_EXECUTION_FAILED",
  );
});
