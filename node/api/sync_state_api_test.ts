/**
 * `sync_state_genSyncSpec` against an in-process dev node: the spec the
 * node runs, with its finalized block as the `lightSyncState` checkpoint
 * (raw on request); a `raw` that is not a boolean is invalid params.
 */
import assert from "node:assert/strict";
import { specCheckpoint } from "../../chain-spec/checkpoint.ts";
import { specGenesis } from "../../chain-spec/genesis.ts";
import { validateChainSpec } from "../../chain-spec/spec.ts";
import { authorities, authoritySetId } from "../../pallets/authorship/mod.ts";
import { blockHash } from "../../runtime/block/header.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { RpcCallError, startDevNode } from "./_testing.ts";

Deno.test("sync_state_genSyncSpec answers the node's spec with its finalized block as checkpoint", async () => {
  await using node = await startDevNode({ finality: false });
  let hash = "";
  for (let i = 0; i < 3; i++) ({ hash } = await node.rpc<{ hash: string }>("engine_createBlock"));
  await node.rpc("engine_finalizeBlock", [hash]);

  const spec = validateChainSpec(await node.rpc("sync_state_genSyncSpec", [false]));
  assert.equal(spec.id, "dev");
  assert.ok("runtime" in spec.genesis, "not raw unless asked");
  const { header, set } = specCheckpoint(spec);
  assert.equal(toHex(blockHash(header)), hash, "the checkpoint is the finalized block");
  const state = node.client.stateAt(header);
  assert.equal(set.setId, authoritySetId(state));
  assert.deepEqual(set.authorities.map(toHex), authorities(state).map(toHex));

  const raw = validateChainSpec(await node.rpc("sync_state_genSyncSpec", [true]));
  assert.ok("raw" in raw.genesis, "raw on request");
  assert.equal(toHex(blockHash(specGenesis(raw).header)), toHex(node.client.genesisHash));
  assert.deepEqual(raw.lightSyncState, spec.lightSyncState);

  for (const params of [[], ["true"], [1]]) {
    await assert.rejects(
      node.rpc("sync_state_genSyncSpec", params),
      (e) =>
        e instanceof RpcCallError && e.code === -32602 && /raw must be a boolean/.test(e.message),
    );
  }
  assert.deepEqual(node.internalErrors, []);
});
