/**
 * Vouchers of every signature kind: an account pays with the kind of key it
 * has (polkadot.js Apps' sr25519, an ecdsa key), and a voucher is worth
 * something only under the channel viewer's own key and kind.
 */
import assert from "node:assert/strict";
import { accountOf, signerFromUri, type SigningKey } from "../../runtime/crypto/mod.ts";
import { runtime } from "../../runtime/mod.ts";
import { assertNoop, dev, type TestExt } from "../../runtime/testing/mod.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import { POT_ACCOUNT } from "../qos-rewards/relays.ts";
import { getChannel } from "./mod.ts";
import { ok, open, registerRelay, setup, signedOk, STREAM, TOKEN, voucher } from "./_fixture.ts";
import { WEIGHTS } from "./weights.ts";

const srBob = signerFromUri("//Bob", "sr25519");
const srDave = signerFromUri("//Dave", "sr25519");
const ecdsaBob = signerFromUri("//Bob", "ecdsa");
const alice = dev.alice.publicKey;

/** Gives `who` 1000 tokens from Alice (ecdsa dev accounts are not endowed). */
function fund(ext: TestExt, who: SigningKey): void {
  ok(ext.apply("Balances", "transferKeepAlive", {
    dest: { tag: "Id", value: accountOf(who) },
    value: 1000n * TOKEN,
  }, dev.alice));
}

const free = (ext: TestExt, who: Uint8Array) => freeBalance(ext.state, who);
const held = (ext: TestExt, who: Uint8Array) => free(ext, who) + reservedBalance(ext.state, who);

Deno.test("an sr25519 viewer opens a channel and pays an sr25519 relay, which claims: 80/15/5", () => {
  const ext = setup();
  registerRelay(ext, srDave.account);
  signedOk(ext, "Streams", "announceRelay", { id: STREAM }, srDave);
  const viewerBefore = held(ext, srBob.account);
  const id = open(ext, 100n * TOKEN, ext.blockNumber + 100, srBob);
  const openFee = viewerBefore - held(ext, srBob.account);
  assert.ok(openFee > 0n, "the viewer paid its extrinsic's fee");
  const before = {
    alice: free(ext, alice),
    dave: free(ext, srDave.account),
    pot: free(ext, POT_ACCOUNT),
  };

  const claimed = signedOk(
    ext,
    "Access",
    "claim",
    voucher(ext, id, 20n * TOKEN, { signer: srBob, payee: srDave }),
    srDave,
  );
  // Fee events follow a real extrinsic's: the claim is the last Access event.
  const event = ext.events().filter((e) => e.pallet === "Access").at(-1)!;
  assert.equal(event.name, "Claimed");
  assert.deepEqual(event.data, {
    channel: id,
    amount: 20n * TOKEN,
    creator: alice,
    creatorAmount: 16n * TOKEN,
    relay: srDave.account,
    relayAmount: 3n * TOKEN,
    potAmount: TOKEN,
  });
  assert.equal(held(ext, srBob.account), viewerBefore - openFee - 20n * TOKEN);
  assert.equal(free(ext, alice), before.alice + 16n * TOKEN);
  assert.equal(free(ext, srDave.account), before.dave + 3n * TOKEN - claimed.fee);
  // The harness's blocks have no author: the whole fee goes to the pot.
  assert.equal(free(ext, POT_ACCOUNT), before.pot + TOKEN + claimed.fee);
  assert.equal(getChannel(ext.state, id)!.claimed, 20n * TOKEN);
});

Deno.test("an ecdsa viewer opens a channel and pays with ecdsa vouchers, claimed by the relay", () => {
  const ext = setup();
  fund(ext, ecdsaBob);
  const id = open(ext, 100n * TOKEN, ext.blockNumber + 100, ecdsaBob);
  assert.deepEqual(getChannel(ext.state, id)!.viewer, ecdsaBob.account);
  const viewerBefore = held(ext, ecdsaBob.account);
  const charlieBefore = free(ext, dev.charlie.publicKey);
  ok(
    ext.apply("Access", "claim", voucher(ext, id, 10n * TOKEN, { signer: ecdsaBob }), dev.charlie),
  );
  ok(
    ext.apply("Access", "claim", voucher(ext, id, 30n * TOKEN, { signer: ecdsaBob }), dev.charlie),
  );
  assert.equal(held(ext, ecdsaBob.account), viewerBefore - 30n * TOKEN);
  assert.equal(free(ext, dev.charlie.publicKey), charlieBefore + 30n * TOKEN * 15n / 100n);
});

Deno.test("attack: a voucher by the viewer's URI in another scheme, or relabelled, or forged, pays nothing", () => {
  const ext = setup();
  const srChannel = open(ext, 100n * TOKEN, ext.blockNumber + 100, srBob);
  fund(ext, ecdsaBob);
  const ecdsaChannel = open(ext, 100n * TOKEN, ext.blockNumber + 100, ecdsaBob);
  const bad = "Access.BadVoucherSignature";
  const amount = 5n * TOKEN;
  const refused = (args: Record<string, unknown>) =>
    assertNoop(ext, "Access", "claim", args, dev.charlie, bad);
  // Same URI, another kind of key: another account.
  refused(voucher(ext, srChannel, amount, { signer: dev.bob }));
  refused(voucher(ext, srChannel, amount, { signer: ecdsaBob }));
  refused(voucher(ext, ecdsaChannel, amount, { signer: srBob }));
  refused(voucher(ext, ecdsaChannel, amount, { signer: signerFromUri("//Eve", "ecdsa") }));
  // The viewer's real sr25519 signature sent as an ed25519 one.
  const real = voucher(ext, srChannel, amount, { signer: srBob });
  refused({ ...real, signature: { ...real.signature, type: "Ed25519" } });
  // One bit flipped, in an sr25519 and in an ecdsa signature.
  for (const v of [real, voucher(ext, ecdsaChannel, amount, { signer: ecdsaBob })]) {
    const forged = v.signature.signature.slice();
    forged[9] ^= 1;
    refused({ ...v, signature: { ...v.signature, signature: forged } });
  }
  ok(ext.apply("Access", "claim", real, dev.charlie));
});

Deno.test("claim weighs what a claim with its voucher's kind of signature measured", () => {
  const ext = setup();
  const id = open(ext);
  const measured = {
    ed25519: WEIGHTS.claim,
    sr25519: WEIGHTS.claimSr25519,
    ecdsa: WEIGHTS.claimEcdsa,
  };
  for (const kind of ["ed25519", "sr25519", "ecdsa"] as const) {
    const args = voucher(ext, id, TOKEN, { signer: signerFromUri("//Bob", kind) });
    assert.equal(
      runtime.callWeight({ pallet: "Access", call: "claim", args }),
      measured[kind],
      kind,
    );
  }
  assert.ok(WEIGHTS.claimEcdsa > WEIGHTS.claimSr25519 && WEIGHTS.claimSr25519 > WEIGHTS.claim);
});
