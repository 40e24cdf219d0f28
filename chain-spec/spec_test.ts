import assert from "node:assert/strict";
import { devSpec } from "./presets.ts";
import { specGenesis } from "./genesis.ts";
import { type ChainSpec, ChainSpecError, validateChainSpec } from "./spec.ts";

type Json = Record<string, unknown>;

/** The dev spec as plain JSON, changed by `edit`. */
function broken(edit: (spec: Json) => void): Json {
  const spec = JSON.parse(JSON.stringify(devSpec())) as Json;
  edit(spec);
  return spec;
}

const props = (spec: Json) => spec.properties as Json;
const runtime = (spec: Json) => (spec.genesis as { runtime: Json }).runtime;

/** Broken specs and the field validation must name. */
const SHAPE_ERRORS: [string, Json | unknown][] = [
  ["(root)", []],
  ["name", broken((s) => s.name = 42)],
  ["id", broken((s) => s.id = "")],
  ["chainType", broken((s) => s.chainType = "Testnet")],
  ["bootNodes", broken((s) => s.bootNodes = "/ip4/127.0.0.1/tcp/30333")],
  ["bootNodes", broken((s) => s.bootNodes = [30333])],
  ["properties", broken((s) => s.properties = null)],
  ["properties.ss58Format", broken((s) => props(s).ss58Format = "42")],
  ["properties.ss58Format", broken((s) => props(s).ss58Format = 16384)],
  ["properties.tokenSymbol", broken((s) => props(s).tokenSymbol = 7)],
  ["properties.tokenDecimals", broken((s) => props(s).tokenDecimals = 12.5)],
  ["properties.tokenDecimals", broken((s) => props(s).tokenDecimals = "12")],
  // Well formed, but not the runtime's: the metadata hash commits to them.
  ["properties.ss58Format", broken((s) => props(s).ss58Format = 0)],
  ["properties.tokenSymbol", broken((s) => props(s).tokenSymbol = "UNIT")],
  ["properties.tokenDecimals", broken((s) => props(s).tokenDecimals = 10)],
  ["genesis", broken((s) => s.genesis = { other: {} })],
  ["genesis.runtime", broken((s) => s.genesis = { runtime: [] })],
  ["genesis.raw.top", broken((s) => s.genesis = { raw: { top: [] } })],
  ["genesis.raw.top.0xzz", broken((s) => s.genesis = { raw: { top: { "0xzz": "0x00" } } })],
  ["genesis.raw.top.0x01", broken((s) => s.genesis = { raw: { top: { "0x01": "0x0" } } })],
  ["genesis.raw.top.0x02", broken((s) => s.genesis = { raw: { top: { "0x02": 2 } } })],
  ["relay.sessionCaps", broken((s) => (s.relay as Json).sessionCaps = 4)],
  [
    "relay.sessionCaps.perIp",
    broken((s) => (s.relay as Json).sessionCaps = { perAccount: 4, perIp: 0, total: 10 }),
  ],
];

for (const [field, json] of SHAPE_ERRORS) {
  Deno.test(`validateChainSpec() names ${field}: ${JSON.stringify(json).slice(0, 60)}`, () => {
    assert.throws(() => validateChainSpec(json), (e) => {
      assert.ok(e instanceof ChainSpecError);
      assert.equal(e.field, field);
      assert.ok(e.message.startsWith(`Invalid chain spec: ${field}: `), e.message);
      return true;
    });
  });
}

/** Specs of the right shape whose runtime genesis is wrong, and the start of the error. */
const GENESIS_ERRORS: [string, Json][] = [
  ["genesis.runtime.nonsense: unknown pallet", broken((s) => runtime(s).nonsense = {})],
  [
    "genesis.runtime.balances.balances[0][1]: expected an integer",
    broken((s) => ((runtime(s).balances as Json).balances as unknown[][])[0][1] = "-5"),
  ],
  [
    "genesis.runtime.balances.existentialDeposit: expected an integer",
    broken((s) => (runtime(s).balances as Json).existentialDeposit = 1.5),
  ],
  [
    "genesis.runtime.staking.stakers[0].bond: ",
    broken((s) => ((runtime(s).staking as Json).stakers as Json[])[0].bond = "1"),
  ],
];

for (const [message, json] of GENESIS_ERRORS) {
  Deno.test(`genesis of a well-formed spec names ${message.split(":")[0]}`, () => {
    const spec: ChainSpec = validateChainSpec(json);
    assert.throws(() => specGenesis(spec), (e) => {
      assert.ok(e instanceof TypeError);
      assert.ok(e.message.startsWith(message), e.message);
      return true;
    });
  });
}
