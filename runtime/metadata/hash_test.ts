import assert from "node:assert/strict";
import { merkleizeMetadata } from "@polkadot-api/merkleize-metadata";
import { decAnyMetadata } from "@polkadot-api/substrate-bindings";
import { RUNTIME_API_METADATA } from "../api/mod.ts";
import { blake3_256 } from "../primitives/hashing.ts";
import { TestExt } from "../testing/mod.ts";
import { PROPERTIES, runtime } from "../mod.ts";
import { metadataBytes, metadataHash } from "./mod.ts";
import { merkleRoot } from "./_merkleize.ts";

type V15 = Extract<ReturnType<typeof decAnyMetadata>["metadata"], { tag: "v15" }>["value"];

/** The V15 bytes the node serves through `Metadata_metadata_at_version(15)`, on the dev chain. */
function servedV15(): Uint8Array {
  return metadataBytes(runtime, 15, new TestExt().state, RUNTIME_API_METADATA);
}

Deno.test("metadataHash() is the digest @polkadot-api/merkleize-metadata computes from the served V15", () => {
  const reference = merkleizeMetadata(servedV15(), {
    decimals: PROPERTIES.tokenDecimals,
    tokenSymbol: PROPERTIES.tokenSymbol,
    // Checked against System.SS58Prefix and System.Version in the metadata.
    base58Prefix: PROPERTIES.ss58Format,
    specName: runtime.version.specName,
    specVersion: runtime.version.specVersion,
  }).digest();
  assert.deepEqual(metadataHash(runtime), reference);
});

Deno.test("metadataHash() commits to the token: another symbol or decimals is another hash", () => {
  const other = (tokenSymbol: string, decimals: number) =>
    merkleizeMetadata(servedV15(), { decimals, tokenSymbol }).digest();
  assert.notDeepEqual(metadataHash(runtime), other("UNIT", PROPERTIES.tokenDecimals));
  assert.notDeepEqual(metadataHash(runtime), other(PROPERTIES.tokenSymbol, 10));
});

Deno.test("V15 declares CheckMetadataHash last, with Substrate's paths: a Mode byte, Option<[u8; 32]> signed", () => {
  const { metadata } = decAnyMetadata(servedV15());
  assert.equal(metadata.tag, "v15");
  const m = metadata.value as V15;
  const extensions = m.extrinsic.signedExtensions;
  const last = extensions.at(-1)!;
  assert.equal(last.identifier, "CheckMetadataHash");
  assert.equal(extensions.at(-2)!.identifier, "ChargeTransactionPayment");
  const type = (id: number) => m.lookup[id];
  const ext = type(last.type);
  assert.deepEqual(ext.path, ["frame_metadata_hash_extension", "CheckMetadataHash"]);
  assert.equal(ext.def.tag, "composite");
  const [mode] = ext.def.tag === "composite" ? ext.def.value : [];
  assert.equal(mode.name, "mode");
  const modeType = type(mode.type);
  assert.deepEqual(modeType.path, ["frame_metadata_hash_extension", "Mode"]);
  assert.deepEqual(
    modeType.def.tag === "variant" && modeType.def.value.map((v) => [v.name, v.index]),
    [["Disabled", 0], ["Enabled", 1]],
  );
  const signed = type(last.additionalSigned);
  assert.deepEqual(signed.path, ["Option"]);
  const some = signed.def.tag === "variant" ? signed.def.value[1] : undefined;
  const array = type(some!.fields[0].type).def;
  assert.equal(array.tag === "array" && array.value.len, 32);
  assert.deepEqual(array.tag === "array" && type(array.value.type).def, {
    tag: "primitive",
    value: { tag: "u8", value: undefined },
  });
});

Deno.test("merkleRoot() builds RFC 78's tree: 5 leaves give [[[3, 4], 0], [1, 2]]", () => {
  const leaves = [0, 1, 2, 3, 4].map((i) => blake3_256(new Uint8Array([i])));
  const node = (a: Uint8Array, b: Uint8Array) => blake3_256(new Uint8Array([...a, ...b]));
  const [l0, l1, l2, l3, l4] = leaves;
  assert.deepEqual(merkleRoot(leaves), node(node(node(l3, l4), l0), node(l1, l2)));
  assert.deepEqual(merkleRoot([l0]), l0);
  assert.deepEqual(merkleRoot([]), new Uint8Array(32));
});
