import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { runtime } from "../runtime/mod.ts";
import { MAX_TITLE_BYTES } from "../pallets/streams/mod.ts";
import {
  constantToJson,
  encodeCallFromJson,
  storageKeyFromJson,
  storageKeyPrefixFromJson,
  storageKeysToJson,
} from "./metadata.ts";

const bob = keypairFromUri("//Bob").publicKey;

Deno.test("a call and its arguments may be named as in TypeScript or in Substrate's snake_case", () => {
  const metadata = runtime.metadata();
  const expected = runtime.encodeCall({
    pallet: "Balances",
    call: "forceSetBalance",
    args: { who: { tag: "Id", value: bob }, newFree: 5n },
  });
  const who = { Id: ss58Encode(bob) };
  assertEquals(
    encodeCallFromJson(metadata, "Balances", "forceSetBalance", { who, newFree: "5" }),
    expected,
  );
  assertEquals(
    encodeCallFromJson(metadata, "balances", "force_set_balance", { who, new_free: "5" }),
    expected,
  );
});

Deno.test("an unknown call or argument is refused, naming what there is", () => {
  const metadata = runtime.metadata();
  throws(
    () => encodeCallFromJson(metadata, "Balances", "transfer_keep", {}),
    /No call Balances\.transfer_keep; it has .*transferKeepAlive/,
  );
  throws(
    () => encodeCallFromJson(metadata, "Balances", "transfer_keep_alive", { to: "x", value: 1 }),
    /Balances\.transferKeepAlive has no argument to; it takes dest, value/,
  );
});

Deno.test("a double map's keys under a first key share its prefix, and every key reads back", () => {
  const metadata = runtime.metadata();
  const relay = ss58Encode(bob);
  const full = storageKeyFromJson(metadata, "Streams", "StreamRelays", [7, relay]);
  const prefix = storageKeyPrefixFromJson(metadata, "Streams", "StreamRelays", [7]);
  assertEquals(full.subarray(0, prefix.length), prefix);
  assertEquals(prefix.length, 32 + 8 + 8, "twox128 twice, then Twox64Concat of a u64");
  assertEquals(storageKeysToJson(metadata, "Streams", "StreamRelays", full), [7, relay]);
  throws(
    () => storageKeyPrefixFromJson(metadata, "Streams", "StreamRelays", [7, relay, 1]),
    /Streams\.StreamRelays takes 2 key\(s\), got 3/,
  );
  throws(
    () => storageKeyFromJson(metadata, "Streams", "StreamRelays", [7]),
    /takes 2 key\(s\), got 1/,
  );
});

Deno.test("constantToJson reads a pallet's constant from the metadata, by either spelling", () => {
  const metadata = runtime.metadata();
  assertEquals(constantToJson(metadata, "Streams", "MaxTitleBytes"), MAX_TITLE_BYTES);
  assertEquals(constantToJson(metadata, "streams", "max_title_bytes"), MAX_TITLE_BYTES);
  throws(() => constantToJson(metadata, "Streams", "Nope"), /No constant Nope in Streams/);
});
