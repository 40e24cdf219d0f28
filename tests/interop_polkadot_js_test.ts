/**
 * polkadot.js (`@polkadot/api` 16.5.6), as a new user would try it, against
 * a dev node started as a process: connecting, storage, constants, derives,
 * a fee estimate, ed25519 and sr25519 transfers signed and watched until
 * finalized with their events decoded, queries at an older block, a storage
 * subscription, a call to the template pallet by name, and a transfer
 * signed with the metadata hash (RFC 78) as a wallet computes it.
 */
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { ApiPromise, WsProvider } from "@polkadot/api";
import { Keyring } from "@polkadot/keyring";
import { merkleizeMetadata } from "@polkadot-api/merkleize-metadata";
import { Bytes, Option } from "@polkadot-api/substrate-bindings";
import { TOKEN } from "../chain-spec/presets.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { NodeProcess, until } from "./_node.ts";

/** Bob's (or anyone's) free balance out of polkadot.js's untyped `System.Account` codec. */
function free(account: unknown): bigint {
  return (account as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt();
}

/** A transaction polkadot.js can sign and send, as `api.tx.pallet.call(...)` gives it. */
type Submittable = ReturnType<ApiPromise["tx"]["balances"]["transferKeepAlive"]>;

/**
 * Signs and sends `tx` and waits until it is in a block (`isInBlock`) or
 * finalized (`isFinalized`): the events' `section.method` names. Fails on a
 * dispatch error, and after two minutes with the statuses seen, rather than
 * hang.
 *
 * A finalized transaction counts as in a block: polkadot.js fetches each
 * status's events behind an rxjs `switchMap`, so when `finalized` follows
 * `inBlock` at once (instant seal, one validator) the `inBlock` result is
 * dropped and only `Ready, Finalized` reach the callback.
 */
function send(
  tx: Submittable,
  signer: Parameters<Submittable["signAndSend"]>[0],
  options: Record<string, unknown>,
  until: "isInBlock" | "isFinalized",
): Promise<string[]> {
  const seen: string[] = [];
  return new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${until} in 120 s; statuses seen: ${seen.join(", ") || "none"}`)),
      120_000,
    );
    const done = (f: () => void) => {
      clearTimeout(timer);
      f();
    };
    tx.signAndSend(signer, options, (result) => {
      seen.push(result.status.type);
      if (result.dispatchError) done(() => reject(new Error(result.dispatchError!.toString())));
      else if (result.status[until] || result.status.isFinalized) {
        done(() => resolve(result.events.map(({ event }) => `${event.section}.${event.method}`)));
      }
    }).catch((e) => done(() => reject(e)));
  });
}

Deno.test("polkadot.js: connect, read, estimate, sign with ed25519 and sr25519 and send until finalized, read at a block, subscribe", async () => {
  const node = new NodeProcess(["--chain", "dev", "--alice", "--seal", "instant", "--tmp"]);
  let api: ApiPromise | undefined;
  try {
    await node.ready();
    api = await ApiPromise.create({
      provider: new WsProvider(`ws://127.0.0.1:${node.rpcPort}`),
      noInitWarn: true,
      throwOnConnect: true,
    });
    assertEquals(api.runtimeVersion.specName.toString(), "sutantra");
    const keyring = new Keyring({ type: "ed25519", ss58Format: 42 });
    const alice = keyring.addFromUri("//Alice");
    const bob = keyring.addFromUri("//Bob");

    const before = await api.query.system.account(bob.address);
    ok(free(before) > 0n, "Bob is endowed");
    ok(
      (api.consts.balances.existentialDeposit as unknown as { toBigInt(): bigint }).toBigInt() > 0n,
    );
    const all = await api.derive.balances.all(alice.address);
    ok(all.freeBalance.toBigInt() > 0n, "derive.balances.all reads Alice");

    const tx = api.tx.balances.transferKeepAlive(bob.address, TOKEN);
    // polkadot.js estimates with a fake sr25519 signature: the node must decode it.
    const info = await tx.paymentInfo(alice);
    ok(info.partialFee.toBigInt() > 0n, "paymentInfo estimates a fee");

    // A storage subscription sees the transfer land.
    const seen: bigint[] = [];
    const unsubscribe = await api.query.system.account(
      bob.address,
      (account: { data: { free: { toBigInt(): bigint } } }) =>
        seen.push(account.data.free.toBigInt()),
    );

    const events = await send(tx, alice, {}, "isFinalized");
    ok(events.includes("balances.Transfer"), events.join());
    ok(events.includes("system.ExtrinsicSuccess"), events.join());

    const after = await api.query.system.account(bob.address);
    assertEquals(free(after), free(before) + TOKEN);
    await until(
      "the subscription's change",
      () => seen.at(-1) === free(after) || undefined,
    );
    (unsubscribe as unknown as () => void)();

    // The state at genesis still has Bob's old balance.
    const genesis = await api.rpc.chain.getBlockHash(0);
    const atGenesis = await api.at(genesis);
    assertEquals(
      free(await atGenesis.query.system.account(bob.address)),
      free(before),
    );

    // A pallet authored from the template, called by name.
    const stored = await send(api.tx.template.doSomething(42), alice, {}, "isInBlock");
    ok(stored.includes("template.SomethingStored"), stored.join());

    // polkadot.js Apps' default: the sr25519 //Alice, endowed on the dev chain.
    const srAlice = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//Alice");
    assertEquals(srAlice.address, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    const srBefore = free(await api.query.system.account(bob.address));
    const srEvents = await send(
      api.tx.balances.transferKeepAlive(bob.address, TOKEN),
      srAlice,
      {},
      "isFinalized",
    );
    ok(srEvents.includes("balances.Transfer"), srEvents.join());
    assertEquals(free(await api.query.system.account(bob.address)), srBefore + TOKEN);

    // CheckMetadataHash: mode 1 signs the hash a wallet computes from the node's V15
    // metadata and the token the node serves as system_properties.
    const v15 = await api.rpc.state.call("Metadata_metadata_at_version", "0x0f000000");
    const digest = merkleizeMetadata(Option(Bytes()).dec(v15.toU8a(true))!, {
      decimals: api.registry.chainDecimals[0],
      tokenSymbol: api.registry.chainTokens[0],
    }).digest();
    const hashBefore = free(await api.query.system.account(bob.address));
    const hashTx = api.tx.balances.transferKeepAlive(bob.address, TOKEN);
    // As hex: polkadot.js reads bytes given for an Option as the Option's SCALE.
    const hashEvents = await send(
      hashTx,
      srAlice,
      { mode: 1, metadataHash: toHex(digest) },
      "isInBlock",
    );
    assertEquals(hashTx.mode.toNumber(), 1);
    ok(hashEvents.includes("balances.Transfer"), hashEvents.join());
    assertEquals(free(await api.query.system.account(bob.address)), hashBefore + TOKEN);
  } finally {
    await api?.disconnect();
    await node.stop();
  }
});
