import assert from "node:assert/strict";
import {
  assertEvent,
  assertLastEvent,
  assertNoop,
  dev,
  TestExt,
  thrownBy,
} from "../../runtime/testing/mod.ts";
import { createExecutive, runtime } from "../../runtime/mod.ts";
import { CALL_DESC, type CallRef, MAX_CALL_DEPTH } from "../../runtime/codec/call.ts";
import { typeOfDesc } from "../../runtime/codec/from_desc.ts";
import { fromJson, JsonTypeError, toJson } from "../../runtime/codec/json.ts";
import { decode, DecodeError, encode } from "../../runtime/codec/types.ts";
import { TransactionValidityError } from "../../runtime/executive/validity.ts";
import { MemoryNodeStore } from "../../runtime/trie/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { ss58Encode } from "../../runtime/crypto/mod.ts";
import { signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import { IMMORTAL } from "../../runtime/extrinsic/era.ts";
import { encodeCallFromJson } from "../../client/metadata.ts";
import { devSpec, localSpec, runtimeGenesis, TOKEN } from "../../chain-spec/presets.ts";
import type { ChainSpec } from "../../chain-spec/spec.ts";
import { freeBalance } from "../balances/mod.ts";
import { sudoKey, sudoStorage } from "./mod.ts";
import { WEIGHTS } from "./weights.ts";

const { alice, bob, charlie, dave } = dev;
const id = (who: Uint8Array) => ({ tag: "Id", value: who });

/** `Balances.forceSetBalance(who, newFree)`: a root-only call. */
function forceSetBalance(who: Uint8Array, newFree: bigint): CallRef {
  return { pallet: "Balances", call: "forceSetBalance", args: { who: id(who), newFree } };
}

/** `Balances.forceTransfer(source, dest, value)`: a root-only call. */
function forceTransfer(source: Uint8Array, dest: Uint8Array, value: bigint): CallRef {
  return {
    pallet: "Balances",
    call: "forceTransfer",
    args: { source: id(source), dest: id(dest), value },
  };
}

/** `Sudo.sudo(call)`. */
function sudo(call: CallRef): CallRef {
  return { pallet: "Sudo", call: "sudo", args: { call } };
}

/** `sudo(sudo(…(call)))` with `depth` sudo calls around `call`. */
function nestedSudo(depth: number, call: CallRef): CallRef {
  let out = call;
  for (let i = 0; i < depth; i++) out = sudo(out);
  return out;
}

/** The `Module` dispatch error of `pallet`'s error at `index`, as `Sudid` reports it. */
function moduleError(pallet: string, index: number) {
  return {
    tag: "Err",
    value: {
      tag: "Module",
      value: { index: runtime.palletIndex(pallet), error: new Uint8Array([index, 0, 0, 0]) },
    },
  };
}

/** A chain whose genesis names no sudo key. */
function withoutKey(): TestExt {
  return new TestExt({ sudo: { key: null } });
}

// The attacks: reaching root without the key.

Deno.test("sudo() by an account that is not the key fails with RequireSudo and changes nothing", () => {
  const ext = new TestExt();
  const call = forceSetBalance(bob.publicKey, 1_000_000n * TOKEN * 1000n);
  assertNoop(ext, "Sudo", "sudo", { call }, bob, "Sudo.RequireSudo");
  assertNoop(ext, "Sudo", "sudoAs", { who: id(alice.publicKey), call }, bob, "Sudo.RequireSudo");
  assertNoop(
    ext,
    "Sudo",
    "sudoUncheckedWeight",
    { call, weight: { refTime: 0n, proofSize: 0n } },
    bob,
    "Sudo.RequireSudo",
  );
  assertNoop(ext, "Sudo", "setKey", { new: id(bob.publicKey) }, bob, "Sudo.RequireSudo");
  assertNoop(ext, "Sudo", "removeKey", {}, bob, "Sudo.RequireSudo");
  assertNoop(ext, "Sudo", "sudo", { call }, "none", "BadOrigin");
});

Deno.test("a root-only call without sudo is BadOrigin, even from the key", () => {
  const ext = new TestExt();
  const { args } = forceSetBalance(bob.publicKey, 1n);
  assertNoop(ext, "Balances", "forceSetBalance", args, alice, "BadOrigin");
});

Deno.test("on a chain spec without a sudo key nobody can sudo", () => {
  const ext = withoutKey();
  assert.equal(sudoKey(ext.state), undefined);
  const call = forceSetBalance(bob.publicKey, 1n);
  for (const who of [alice, bob, charlie, dave, dev.eve, dev.ferdie]) {
    assertNoop(ext, "Sudo", "sudo", { call }, who, "Sudo.RequireSudo");
    assertNoop(ext, "Sudo", "setKey", { new: id(who.publicKey) }, who, "Sudo.RequireSudo");
    assertNoop(ext, "Sudo", "sudoAs", { who: id(bob.publicKey), call }, who, "Sudo.RequireSudo");
  }
});

// What the key may do.

Deno.test("the key's sudo(forceSetBalance) sets the balance and emits Sudid Ok", () => {
  const ext = new TestExt();
  const newFree = 42n * TOKEN;
  assert.deepEqual(
    ext.apply("Sudo", "sudo", { call: forceSetBalance(bob.publicKey, newFree) }, alice),
    { ok: true },
  );
  assert.equal(freeBalance(ext.state, bob.publicKey), newFree);
  assertEvent(ext, "Balances", "BalanceSet", { who: bob.publicKey, free: newFree });
  assertLastEvent(ext, "Sudo", "Sudid", { sudoResult: { tag: "Ok" } });
});

Deno.test("the key's sudo(forceTransfer) moves another account's funds", () => {
  const ext = new TestExt();
  const before = freeBalance(ext.state, dave.publicKey);
  const call = forceTransfer(charlie.publicKey, dave.publicKey, 7n * TOKEN);
  assert.deepEqual(ext.apply("Sudo", "sudo", { call }, alice), { ok: true });
  assert.equal(freeBalance(ext.state, dave.publicKey), before + 7n * TOKEN);
  assertLastEvent(ext, "Sudo", "Sudid", { sudoResult: { tag: "Ok" } });
});

Deno.test("an inner call's failure is Sudid Err; the sudo extrinsic succeeds and pays its fee", () => {
  const ext = new TestExt();
  const balances = () => [alice, charlie, dave].map((k) => freeBalance(ext.state, k.publicKey));
  const [aliceBefore, charlieBefore, daveBefore] = balances();
  // Charlie holds far less than this: Balances.InsufficientBalance (index 2).
  const call = forceTransfer(charlie.publicKey, dave.publicKey, charlieBefore * 2n);
  const outcome = ext.applyExtrinsic(ext.signed("Sudo", "sudo", { call }, alice));
  assert.equal(outcome.ok, true);
  assert.ok(outcome.fee > 0n);
  assert.deepEqual(balances(), [aliceBefore - outcome.fee, charlieBefore, daveBefore]);
  assertEvent(ext, "Sudo", "Sudid", { sudoResult: moduleError("Balances", 2) });
  assertEvent(ext, "TransactionPayment", "TransactionFeePaid", { actualFee: outcome.fee });
  assertLastEvent(ext, "System", "ExtrinsicSuccess");
});

Deno.test("an inner call that needs a signed origin gets BadOrigin from sudo", () => {
  const ext = new TestExt();
  const call: CallRef = { pallet: "Template", call: "doSomething", args: { something: 7 } };
  assert.deepEqual(ext.apply("Sudo", "sudo", { call }, alice), { ok: true });
  assertLastEvent(ext, "Sudo", "Sudid", {
    sudoResult: { tag: "Err", value: { tag: "BadOrigin" } },
  });
});

Deno.test("a rejected sudo pays its fee: a non-key signer cannot spam sudo for free", () => {
  const ext = new TestExt();
  const before = freeBalance(ext.state, bob.publicKey);
  const call = forceSetBalance(bob.publicKey, before * 10n);
  const outcome = ext.applyExtrinsic(ext.signed("Sudo", "sudo", { call }, bob));
  assert.equal(outcome.ok, false);
  assert.deepEqual(outcome.error, moduleError("Sudo", 0).value);
  assert.ok(outcome.fee > 0n);
  assert.equal(freeBalance(ext.state, bob.publicKey), before - outcome.fee);
});

Deno.test("sudoUncheckedWeight() dispatches as root with the weight the key states", () => {
  const ext = new TestExt();
  const weight = { refTime: 123_000_000n, proofSize: 0n };
  const call = forceSetBalance(bob.publicKey, 9n * TOKEN);
  assert.deepEqual(ext.apply("Sudo", "sudoUncheckedWeight", { call, weight }, alice), { ok: true });
  assert.equal(freeBalance(ext.state, bob.publicKey), 9n * TOKEN);
  assertLastEvent(ext, "Sudo", "Sudid", { sudoResult: { tag: "Ok" } });
  const decoded = runtime.decodeCall(
    runtime.encodeCall({ pallet: "Sudo", call: "sudoUncheckedWeight", args: { call, weight } }),
  );
  assert.equal(decoded.spec.weight instanceof Function && decoded.spec.weight(decoded.args), 123e6);
});

Deno.test("sudo's weight is the inner call's plus a constant, at every level of nesting", () => {
  const inner = forceSetBalance(bob.publicKey, 1n);
  const innerWeight = runtime.callWeight(inner);
  assert.ok(innerWeight > 0);
  assert.equal(runtime.callWeight(sudo(inner)), WEIGHTS.sudo + innerWeight);
  assert.equal(runtime.callWeight(nestedSudo(3, inner)), 3 * WEIGHTS.sudo + innerWeight);
  const as: CallRef = {
    pallet: "Sudo",
    call: "sudoAs",
    args: { who: id(bob.publicKey), call: inner },
  };
  assert.equal(runtime.callWeight(as), WEIGHTS.sudoAs + innerWeight);
});

Deno.test("sudoAs() dispatches as the given account", () => {
  const ext = new TestExt();
  const [bobBefore, charlieBefore] = [bob, charlie].map((k) => freeBalance(ext.state, k.publicKey));
  const call: CallRef = {
    pallet: "Balances",
    call: "transferKeepAlive",
    args: { dest: id(charlie.publicKey), value: 3n * TOKEN },
  };
  assert.deepEqual(ext.apply("Sudo", "sudoAs", { who: id(bob.publicKey), call }, alice), {
    ok: true,
  });
  assert.equal(freeBalance(ext.state, bob.publicKey), bobBefore - 3n * TOKEN);
  assert.equal(freeBalance(ext.state, charlie.publicKey), charlieBefore + 3n * TOKEN);
  assertEvent(ext, "Balances", "Transfer", { from: bob.publicKey, to: charlie.publicKey });
  assertLastEvent(ext, "Sudo", "SudoAsDone", { sudoResult: { tag: "Ok" } });
});

Deno.test("sudoAs() gives a signed origin, not root: a root-only call is SudoAsDone Err BadOrigin", () => {
  const ext = new TestExt();
  const before = freeBalance(ext.state, bob.publicKey);
  const call = forceSetBalance(bob.publicKey, before * 2n);
  assert.deepEqual(ext.apply("Sudo", "sudoAs", { who: id(bob.publicKey), call }, alice), {
    ok: true,
  });
  assert.equal(freeBalance(ext.state, bob.publicKey), before);
  assertLastEvent(ext, "Sudo", "SudoAsDone", {
    sudoResult: { tag: "Err", value: { tag: "BadOrigin" } },
  });
});

Deno.test("setKey() moves the power: the old key gets RequireSudo, the new one sudos", () => {
  const ext = new TestExt();
  assert.deepEqual(ext.apply("Sudo", "setKey", { new: id(bob.publicKey) }, alice), { ok: true });
  assertLastEvent(ext, "Sudo", "KeyChanged", { old: alice.publicKey, new: bob.publicKey });
  assert.deepEqual(sudoKey(ext.state), bob.publicKey);
  const call = forceSetBalance(charlie.publicKey, 5n * TOKEN);
  assertNoop(ext, "Sudo", "sudo", { call }, alice, "Sudo.RequireSudo");
  assertNoop(ext, "Sudo", "setKey", { new: id(alice.publicKey) }, alice, "Sudo.RequireSudo");
  assert.deepEqual(ext.apply("Sudo", "sudo", { call }, bob), { ok: true });
  assert.equal(freeBalance(ext.state, charlie.publicKey), 5n * TOKEN);
});

Deno.test("setKey() to an address that cannot be looked up fails and keeps the key", () => {
  const ext = new TestExt();
  assertNoop(ext, "Sudo", "setKey", { new: { tag: "Index", value: 1 } }, alice, "CannotLookup");
  assert.deepEqual(sudoKey(ext.state), alice.publicKey);
});

Deno.test("removeKey() leaves no root: the former key gets RequireSudo, and so does everyone", () => {
  const ext = new TestExt();
  assert.deepEqual(ext.apply("Sudo", "removeKey", {}, alice), { ok: true });
  assertLastEvent(ext, "Sudo", "KeyRemoved");
  assert.equal(sudoStorage.Key.get(ext.state), undefined);
  const call = forceSetBalance(alice.publicKey, 1n);
  for (const who of [alice, bob]) {
    assertNoop(ext, "Sudo", "sudo", { call }, who, "Sudo.RequireSudo");
    assertNoop(ext, "Sudo", "setKey", { new: id(who.publicKey) }, who, "Sudo.RequireSudo");
    assertNoop(ext, "Sudo", "removeKey", {}, who, "Sudo.RequireSudo");
  }
});

Deno.test("a key can hand the power over from inside sudo (root may set the key)", () => {
  const ext = new TestExt();
  const call: CallRef = { pallet: "Sudo", call: "setKey", args: { new: id(dave.publicKey) } };
  assert.deepEqual(ext.apply("Sudo", "sudo", { call }, alice), { ok: true });
  assert.deepEqual(sudoKey(ext.state), dave.publicKey);
});

// The nested call on the wire and in JSON.

Deno.test("a nested call round-trips through SCALE: palletIndex ++ callIndex ++ args, nested", () => {
  const inner = forceSetBalance(bob.publicKey, 5n);
  const bytes = runtime.encodeCall(sudo(inner));
  // Sudo is pallet 10 and sudo its call 0; the inner call is Balances (3) forceSetBalance (8).
  assert.deepEqual(bytes.subarray(0, 4), new Uint8Array([10, 0, 3, 8]));
  assert.deepEqual(bytes.subarray(4), runtime.encodeCall(inner).subarray(2));
  const decoded = runtime.decodeCall(bytes);
  assert.equal(decoded.name, "sudo");
  assert.deepEqual(decoded.args.call, inner);
});

Deno.test("a nested call round-trips through the JSON parser, as the CLI writes it", () => {
  const metadata = runtime.metadata();
  const bobAddress = ss58Encode(bob.publicKey, 42);
  const json = {
    call: {
      pallet: "Balances",
      call: "forceSetBalance",
      args: { who: { Id: bobAddress }, newFree: "5000000000000" },
    },
  };
  const expected = runtime.encodeCall(sudo(forceSetBalance(bob.publicKey, 5n * TOKEN)));
  assert.deepEqual(encodeCallFromJson(metadata, "Sudo", "sudo", json), expected);
  // The pallet's name is matched as the CLI matches it, case aside.
  const lower = { call: { ...json.call, pallet: "balances" } };
  assert.deepEqual(encodeCallFromJson(metadata, "sudo", "sudo", lower), expected);
  // And the call's SCALE in hex is a call too.
  const hex = { call: toHex(runtime.encodeCall(forceSetBalance(bob.publicKey, 5n * TOKEN))) };
  assert.deepEqual(encodeCallFromJson(metadata, "Sudo", "sudo", hex), expected);
  // Back to JSON: the same shape.
  const decoded = runtime.decodeCall(expected);
  const argsDesc = runtime.callArgs("Sudo", "sudo")[0].type;
  assert.deepEqual(toJson(argsDesc, decoded.args.call, 42, metadata), {
    pallet: "Balances",
    call: "forceSetBalance",
    args: { who: { Id: bobAddress }, newFree: 5_000_000_000_000 },
  });
  // A call that takes no arguments may leave `args` out.
  assert.deepEqual(
    encodeCallFromJson(metadata, "Sudo", "sudo", { call: { pallet: "Sudo", call: "removeKey" } }),
    new Uint8Array([10, 0, 10, 4]),
  );
});

Deno.test("a nested call in JSON that does not fit is an error naming the path", () => {
  const metadata = runtime.metadata();
  const bad = (call: unknown, pattern: RegExp) =>
    assert.throws(() => encodeCallFromJson(metadata, "Sudo", "sudo", { call }), pattern);
  bad({ pallet: "Nope", call: "x" }, /^JsonTypeError: call: unknown pallet "Nope"/);
  bad({ pallet: "Balances", call: "mint" }, /call: unknown call Balances.mint; expected one of/);
  bad({ pallet: "Balances", call: "forceSetBalance", args: {} }, /call\.args\.who: missing field/);
  bad({ pallet: "Balances", call: "forceSetBalance", extra: 1 }, /call\.extra: unknown field/);
  bad("0x0a", /call: Cannot decode call/);
  bad(7, /call: expected \{"pallet", "call", "args"\}/);
  // Without the runtime's calls, a call cannot be read.
  assert.throws(() => fromJson(CALL_DESC, { pallet: "Sudo", call: "removeKey" }), JsonTypeError);
  assert.throws(
    () => encode(typeOfDesc(CALL_DESC), sudo({ pallet: "Sudo", call: "removeKey", args: {} })),
    /no runtime calls/,
  );
});

Deno.test(`sudo(sudo(…)) nests at most ${MAX_CALL_DEPTH} calls deep, in SCALE and in JSON`, () => {
  const leaf = forceSetBalance(bob.publicKey, 1n);
  // The deepest call that fits: MAX_CALL_DEPTH calls inside the outermost.
  const deepest = nestedSudo(MAX_CALL_DEPTH, leaf);
  const bytes = runtime.encodeCall(deepest);
  assert.deepEqual(runtime.decodeCall(bytes).args.call, nestedSudo(MAX_CALL_DEPTH - 1, leaf));
  // One more does not encode, and hand-made bytes of it do not decode.
  const tooDeep = sudo(deepest);
  assert.throws(() => runtime.encodeCall(tooDeep), /calls nested deeper than 64/);
  const forged = new Uint8Array([10, 0, ...bytes]);
  const e = thrownBy(TransactionValidityError, () => runtime.decodeCall(forged));
  assert.equal(e.reason, "Call");
  assert.match(e.message, /calls nested deeper than 64/);
  // Nor through the client's codec, nor its JSON parser.
  const metadata = runtime.metadata();
  const clientType = typeOfDesc(CALL_DESC, metadata);
  assert.throws(() => decode(clientType, forged.subarray(2)), DecodeError);
  let json: unknown = { pallet: "Sudo", call: "removeKey" };
  for (let i = 0; i < MAX_CALL_DEPTH + 1; i++) {
    json = { pallet: "Sudo", call: "sudo", args: { call: json } };
  }
  assert.throws(
    () => fromJson(CALL_DESC, json, "call", metadata),
    /calls nested deeper than 64/,
  );
});

Deno.test("a signed over-deep sudo extrinsic is refused, not included", () => {
  const ext = new TestExt();
  const deepest = runtime.encodeCall(
    nestedSudo(MAX_CALL_DEPTH, forceSetBalance(bob.publicKey, 1n)),
  );
  const call = new Uint8Array([10, 0, ...deepest]);
  const bytes = signExtrinsic(call, alice, { era: IMMORTAL, nonce: 0, tip: 0n }, {
    specVersion: runtime.version.specVersion,
    transactionVersion: runtime.version.transactionVersion,
    genesisHash: ext.genesisHash,
    eraBlockHash: ext.genesisHash,
  });
  const included = ext.extrinsics.length;
  const e = thrownBy(TransactionValidityError, () => ext.applyExtrinsic(bytes));
  assert.equal(e.reason, "Call");
  assert.equal(ext.extrinsics.length, included);
});

Deno.test(`the key's ${MAX_CALL_DEPTH}-deep sudo(sudo(…)) dispatches, one Sudid per level`, () => {
  const ext = new TestExt();
  const call = nestedSudo(MAX_CALL_DEPTH - 1, forceSetBalance(bob.publicKey, 11n * TOKEN));
  assert.deepEqual(ext.apply("Sudo", "sudo", { call }, alice), { ok: true });
  assert.equal(freeBalance(ext.state, bob.publicKey), 11n * TOKEN);
  const sudid = ext.events().filter((e) => e.pallet === "Sudo" && e.name === "Sudid");
  assert.equal(sudid.length, MAX_CALL_DEPTH);
});

// Genesis.

/** The sudo key in the genesis of a (non-raw) chain spec. */
function genesisKey(spec: ChainSpec): Uint8Array | undefined {
  assert.ok("runtime" in spec.genesis);
  const store = new MemoryNodeStore();
  const executive = createExecutive(store);
  const sealed = executive.genesis(spec.genesis.runtime);
  store.insert(sealed.nodes);
  return sudoKey(executive.stateAt(sealed.header.stateRoot));
}

Deno.test("the dev and local chain specs make //Alice the sudo key", () => {
  assert.deepEqual(genesisKey(devSpec()), alice.publicKey);
  assert.deepEqual(genesisKey(localSpec()), alice.publicKey);
});

Deno.test("a chain spec that names no sudo key has none: no root origin exists", () => {
  const { sudo: _, ...rest } = runtimeGenesis(["Alice"]);
  const spec: ChainSpec = { ...devSpec(), id: "staging", genesis: { runtime: rest } };
  assert.equal(genesisKey(spec), undefined);
  const nullKey: ChainSpec = { ...spec, genesis: { runtime: { ...rest, sudo: { key: null } } } };
  assert.equal(genesisKey(nullKey), undefined);
});
