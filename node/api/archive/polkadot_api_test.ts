/**
 * polkadot-api 2.2.2 reads an archive node's old blocks through
 * `archive_v1_*`: for a block its chainHead follow never pinned, the client
 * falls back to the archive methods the node lists (and to the legacy
 * `state_*` ones on a node that lists none).
 */
import assert from "node:assert/strict";
import { createClient } from "polkadot-api";
import { getWsProvider, SocketEvents } from "polkadot-api/ws";
import { ss58Encode } from "../../../runtime/crypto/mod.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { alice, bob, startDevNode, transfer } from "../_testing.ts";

/** Free balance out of the unsafe API's untyped `System.Account`. */
function free(account: unknown): bigint {
  return (account as { data: { free: bigint } }).data.free;
}

Deno.test("polkadot-api reads a balance and calls a runtime API at blocks older than its follow, through archive_v1", async () => {
  await using node = await startDevNode({
    finality: false,
    pruning: { states: "archive", blocks: "archive" },
  });
  const hashes = [await node.rpc<string>("chain_getBlockHash", [0])];
  for (let n = 1; n <= 5; n++) {
    if (n === 2) {
      await node.rpc("author_submitExtrinsic", [
        toHex(transfer(node.client.genesisHash, alice, bob.publicKey, { nonce: 0 })),
      ]);
    }
    hashes.push((await node.rpc<{ hash: string }>("engine_createBlock", [true, false])).hash);
  }
  await node.rpc("engine_finalizeBlock", [hashes[5]]);

  const sent: string[] = [];
  const client = createClient(getWsProvider(node.url.replace(/^http/, "ws"), {
    logger: (e) => {
      if (e.type === SocketEvents.OUT) sent.push(JSON.parse(e.msg).method);
    },
  }));
  try {
    const api = client.getUnsafeApi();
    const bobAddress = ss58Encode(bob.publicKey);
    const before = await api.query.System.Account.getValue(bobAddress, { at: hashes[1] });
    const after = await api.query.System.Account.getValue(bobAddress, { at: hashes[2] });
    assert.equal(free(after) - free(before), 10n ** 12n, "one token");
    const nonce = (at: string) =>
      api.apis.AccountNonceApi.account_nonce(ss58Encode(alice.publicKey), { at });
    assert.equal(await nonce(hashes[1]), 0);
    assert.equal(await nonce(hashes[2]), 1);
    assert.equal((await client.getBlockBody(hashes[2])).length, 2);
    for (const method of ["archive_v1_storage", "archive_v1_call", "archive_v1_body"]) {
      assert.ok(sent.includes(method), `${method} among ${[...new Set(sent)]}`);
    }
    assert.ok(!sent.some((m) => m.startsWith("state_")), "no legacy fallback");
  } finally {
    client.destroy();
  }
  assert.deepEqual(node.internalErrors, []);
});
