/**
 * Shared setup of the access pallet's tests: a live stream by Alice carried
 * by the relay Charlie, and helpers to open channels and sign vouchers.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  accountOf,
  type Keypair,
  type MultiSignatureValue,
  type SigningKey,
  signMulti,
} from "../../runtime/crypto/mod.ts";
import type { ApplyOutcome } from "../../runtime/executive/block_builder.ts";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import { relayStorage } from "../qos-rewards/relays.ts";
import { freeBalance, reservedBalance } from "../balances/mod.ts";
import { accessStorage, voucherPayload } from "./mod.ts";

/** One token. */
export const TOKEN = 10n ** 12n;

/** The stream's price: a thousandth of a token per second. */
export const PRICE = TOKEN / 1000n;

/** The access config of the tests (chain-spec JSON): 80% creator, 15% relay, 5% pot. */
export const CONFIG = {
  creatorSharePerbill: 800_000_000,
  relaySharePerbill: 150_000_000,
  settleWindow: 10,
  graceSeconds: 30,
  minDeposit: TOKEN.toString(),
  blockTimeMs: 6000,
};

/** The stream every test uses. */
export const STREAM = 0n;

/** Registers `who` as a relay directly in storage (the QoS pallet's job in a real chain). */
export function registerRelay(ext: TestExt, who: Uint8Array): void {
  relayStorage.Relays.set(ext.state, who, {
    deposit: 0n,
    registeredAt: ext.blockNumber,
    endpoint: new Uint8Array(),
  });
}

/** Asserts a call succeeded. */
export function ok(result: { ok: boolean; error?: string }): void {
  assert.ok(result.ok, result.error);
}

/** A chain with Alice's live stream 0 (price {@link PRICE}) carried by Charlie. */
export function setup(overrides: Record<string, unknown> = {}): TestExt {
  const ext = new TestExt({ access: CONFIG, ...overrides });
  ok(ext.apply("Streams", "createStream", {
    title: "Live",
    pricePerSecond: PRICE,
    meta: new Uint8Array(),
  }, dev.alice));
  ok(ext.apply("Streams", "goLive", { id: STREAM }, dev.alice));
  registerRelay(ext, dev.charlie.publicKey);
  ok(ext.apply("Streams", "announceRelay", { id: STREAM }, dev.charlie));
  return ext;
}

/**
 * Opens a channel and returns its id: dispatched directly for an ed25519
 * dev keypair, by a signed extrinsic (paying its fee) for any other key.
 */
export function open(
  ext: TestExt,
  deposit = 100n * TOKEN,
  expiry = ext.blockNumber + 100,
  viewer: SigningKey = dev.bob,
): bigint {
  const id = accessStorage.NextChannelId.get(ext.state);
  const args = { stream: STREAM, deposit, expiry };
  if ("seed" in viewer) ok(ext.apply("Access", "openChannel", args, viewer as Keypair));
  else signedOk(ext, "Access", "openChannel", args, viewer);
  return id;
}

/** Applies `pallet.call(args)` as a real extrinsic signed by `signer`, asserting it succeeded. */
export function signedOk(
  ext: TestExt,
  pallet: string,
  call: string,
  args: Record<string, unknown>,
  signer: SigningKey,
): ApplyOutcome {
  const outcome = ext.applyExtrinsic(ext.signed(pallet, call, args, signer));
  assert.ok(outcome.ok, `${pallet}.${call}: ${JSON.stringify(outcome.error)}`);
  return outcome;
}

/**
 * `claim` arguments for a voucher to `payee` (Charlie, the carrying relay,
 * unless said) signed by `signer` (the viewer, Bob, unless said).
 */
export function voucher(
  ext: TestExt,
  channel: bigint,
  cumulativeAmount: bigint,
  options: {
    signer?: SigningKey;
    payee?: SigningKey;
    genesisHash?: Uint8Array;
    signedChannel?: bigint;
  } = {},
): { channel: bigint; cumulativeAmount: bigint; signature: MultiSignatureValue } {
  const payload = voucherPayload(
    options.genesisHash ?? ext.genesisHash,
    options.signedChannel ?? channel,
    accountOf(options.payee ?? dev.charlie),
    cumulativeAmount,
  );
  return { channel, cumulativeAmount, signature: signMulti(options.signer ?? dev.bob, payload) };
}

/** Free plus reserved balance. */
export function total(ext: TestExt, who: Uint8Array): bigint {
  return freeBalance(ext.state, who) + reservedBalance(ext.state, who);
}
