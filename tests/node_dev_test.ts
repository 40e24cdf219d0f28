/**
 * A dev node as a real process: a transfer submitted over JSON-RPC is
 * included and finalized and moves the balances by the amount plus the fee;
 * the node resumes after a stop, and after SIGKILL, at the same finalized
 * head and state root.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { TOKEN } from "../chain-spec/presets.ts";
import { keypairFromUri, ss58Encode } from "../runtime/crypto/mod.ts";
import { IMMORTAL } from "../runtime/extrinsic/era.ts";
import { signExtrinsic } from "../runtime/extrinsic/extrinsic.ts";
import { runtime } from "../runtime/mod.ts";
import { fromHex, toHex } from "../runtime/primitives/hex.ts";
import { balanceAt, NodeProcess, until } from "./_node.ts";

// Bob pays Charlie: Alice authors the blocks and gets a share of every fee back.
const sender = keypairFromUri("//Bob");
const receiver = keypairFromUri("//Charlie");

/** Alice's dev validator on `basePath`. */
function devNode(basePath: string, seal: "instant" | "manual"): NodeProcess {
  return new NodeProcess(["--chain", "dev", "--alice", "--seal", seal, "--base-path", basePath]);
}

async function free(node: NodeProcess, who: Uint8Array, at?: string): Promise<bigint> {
  return (await balanceAt(node, who, at)).free;
}

Deno.test("dev node: a transfer over RPC is finalized, and the node resumes after stop and SIGKILL", async () => {
  const basePath = await Deno.makeTempDir({ prefix: "sutantra-node-" });
  let node = devNode(basePath, "instant");
  try {
    await node.ready();
    const genesis = await node.rpc<string>("chain_getBlockHash", [0]);
    const senderBefore = await free(node, sender.publicKey);
    const receiverBefore = await free(node, receiver.publicKey);
    const version = await node.rpc<{ specVersion: number; transactionVersion: number }>(
      "state_getRuntimeVersion",
    );
    const nonce = await node.rpc<number>("system_accountNextIndex", [ss58Encode(sender.publicKey)]);
    const amount = 7n * TOKEN;
    const tx = signExtrinsic(
      runtime.encodeCall({
        pallet: "Balances",
        call: "transferKeepAlive",
        args: { dest: { tag: "Id", value: receiver.publicKey }, value: amount },
      }),
      sender,
      { era: IMMORTAL, nonce, tip: 0n },
      {
        specVersion: version.specVersion,
        transactionVersion: version.transactionVersion,
        genesisHash: fromHex(genesis),
        eraBlockHash: fromHex(genesis),
      },
    );
    const info = await node.rpc<{ partialFee: string }>("payment_queryInfo", [toHex(tx)]);
    const hash = await node.rpc<string>("author_submitExtrinsic", [toHex(tx)]);
    assertEquals(hash.length, 66);
    const finalized = await until("the transfer to be finalized", async () => {
      const head = await node.rpc<string>("chain_getFinalizedHead");
      const block = await node.rpc<{ block: { extrinsics: string[] } }>("chain_getBlock", [head]);
      return block.block.extrinsics.includes(toHex(tx)) ? head : undefined;
    });
    assertEquals(await free(node, receiver.publicKey, finalized) - receiverBefore, amount);
    assertEquals(
      senderBefore - await free(node, sender.publicKey, finalized),
      amount + BigInt(info.partialFee),
    );

    // A clean stop, then a restart on the same base path.
    const header = await node.rpc<{ stateRoot: string; number: string }>("chain_getHeader", [
      finalized,
    ]);
    assertEquals((await node.stop()).success, true);
    node = devNode(basePath, "instant");
    await node.ready();
    assertEquals(await node.rpc("chain_getFinalizedHead"), finalized);
    const resumed = await node.rpc<{ stateRoot: string }>("chain_getHeader");
    assertEquals(resumed.stateRoot, header.stateRoot);

    // SIGKILL right after more blocks are made, repeatedly: nothing finalized is lost.
    for (let round = 0; round < 3; round++) {
      const before = await node.rpc<string>("chain_getFinalizedHead");
      const beforeHeader = await node.rpc<{ number: string }>("chain_getHeader", [before]);
      await node.rpc("engine_createBlock", [true, true]).catch(() => undefined);
      await node.stop("SIGKILL");
      node = devNode(basePath, "manual");
      await node.ready();
      const after = await node.rpc<string>("chain_getFinalizedHead");
      const afterHeader = await node.rpc<{ number: string }>("chain_getHeader", [after]);
      ok(parseInt(afterHeader.number, 16) >= parseInt(beforeHeader.number, 16));
      // The state under the finalized head is whole: the transfer is still there.
      assertEquals(await free(node, receiver.publicKey, after) - receiverBefore, amount);
    }
  } finally {
    await node.stop();
    await Deno.remove(basePath, { recursive: true });
  }
});
