/**
 * Transaction gossip verdicts, against a stand-in network that records what
 * is published and reported: only what the pool holds as ready travels on.
 */
import assert from "node:assert/strict";
import { extrinsicHash } from "../../runtime/extrinsic/extrinsic.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { dev } from "../../runtime/testing/mod.ts";
import { createLogger } from "../log.ts";
import type { GossipHandler, GossipVerdict } from "../network/mod.ts";
import { gossipTransactions, INVALID_TRANSACTION_PENALTY } from "./gossip.ts";
import { remark, setup } from "./_testing.ts";

/** A pool with transaction gossip over a network that records instead of sending. */
function gossiping() {
  const { ext, pool } = setup();
  const published: string[] = [];
  const reports: [string, number][] = [];
  let handler: GossipHandler | undefined;
  gossipTransactions({
    pool,
    best: () => ext.parent,
    log: createLogger("error"),
    network: {
      subscribe: (_topic, h) => {
        handler = h;
        return () => {};
      },
      publish: (_topic, bytes) => {
        published.push(toHex(bytes));
        return Promise.resolve(1);
      },
      report: (peer, penalty) => void reports.push([peer, penalty]),
      peers: () => [],
    },
  });
  const receive = async (bytes: Uint8Array, from = "peer") =>
    await handler!(bytes, from) as GossipVerdict;
  return { ext, pool, published, reports, receive };
}

Deno.test("an invalid transaction gossiped by a peer is rejected, not forwarded, and costs the peer", async () => {
  const { ext, pool, reports, receive } = gossiping();
  const forged = remark(ext, dev.alice);
  forged[forged.length - 1] ^= 1; // the call's last byte: the signature no longer matches
  assert.equal(await receive(forged, "mallory"), "reject");
  assert.equal(await receive(new Uint8Array([1, 2, 3]), "mallory"), "reject");
  assert.deepEqual(reports, [
    ["mallory", INVALID_TRANSACTION_PENALTY],
    ["mallory", INVALID_TRANSACTION_PENALTY],
  ]);
  // Banned now: a late relay of the same bytes by another peer is neither forwarded nor blamed.
  assert.equal(await receive(forged, "honest"), "ignore");
  assert.equal(reports.length, 2);
  assert.equal(pool.status().ready, 0);
});

Deno.test("a ready transaction is forwarded by gossip alone, a duplicate is not forwarded again", async () => {
  const { ext, pool, published, reports, receive } = gossiping();
  const tx = remark(ext, dev.alice);
  assert.equal(await receive(tx), "accept");
  assert.ok(pool.has(extrinsicHash(tx)));
  assert.deepEqual(published, [], "gossipsub forwards it: this node does not publish it anew");
  assert.equal(await receive(tx), "ignore");
  assert.deepEqual(reports, []);
});

Deno.test("a future transaction is kept but travels only once it is ready, published by this node", async () => {
  const { ext, pool, published, reports, receive } = gossiping();
  const later = remark(ext, dev.alice, { nonce: 1 });
  assert.equal(await receive(later), "ignore");
  assert.equal(pool.status().future, 1);
  assert.deepEqual(published, []);
  const first = remark(ext, dev.alice, { nonce: 0 });
  assert.equal(await receive(first), "accept");
  assert.deepEqual(published, [toHex(later)], "the filled gap makes it ready: now it goes out");
  assert.deepEqual(reports, []);
});
