import assert from "node:assert/strict";
import { loadOrCreateNodeKey, nodeKeyFromSeed } from "./node_key.ts";
import { NetworkError, NetworkErrorCode } from "../../client/p2p/mod.ts";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";

Deno.test("loadOrCreateNodeKey() creates a 0600 key file and loads the same peer id again", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp" });
  try {
    const path = `${dir}/secret_ed25519`;
    const created = await loadOrCreateNodeKey(path);
    assert.equal(created.type, "Ed25519");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const loaded = await loadOrCreateNodeKey(path);
    assert.equal(peerIdFromPrivateKey(loaded).toString(), peerIdFromPrivateKey(created).toString());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadOrCreateNodeKey() rejects a corrupt key file and leaves it alone", async () => {
  const dir = await Deno.makeTempDir({ dir: "/tmp" });
  try {
    const path = `${dir}/secret_ed25519`;
    await Deno.writeTextFile(path, "not a key");
    await assert.rejects(
      () => loadOrCreateNodeKey(path),
      (err: unknown) =>
        err instanceof NetworkError && err.code === NetworkErrorCode.NodeKeyInvalid &&
        err.message.startsWith(`Cannot load node key: ${path}`),
    );
    assert.equal(await Deno.readTextFile(path), "not a key");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nodeKeyFromSeed() refuses anything but 32 bytes of hex", async () => {
  for (const bad of ["", "01", "zz".repeat(32), "00".repeat(33)]) {
    await assert.rejects(() => nodeKeyFromSeed(bad), /Invalid node key: expected 32 bytes/);
  }
  const withPrefix = await nodeKeyFromSeed(`0x${"00".repeat(31)}01`);
  assert.equal(
    peerIdFromPrivateKey(withPrefix).toString(),
    "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
  );
});
