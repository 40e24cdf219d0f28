/**
 * The QoS-rewards tests' chain: the dev genesis with 10-block staking eras
 * (Alice's stash validating) and a QoS section, plus helpers to create
 * streams, sign receipts and build reports.
 *
 * @module
 */
import { accountOf, type Keypair, type SigningKey, signMulti } from "../../runtime/crypto/mod.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { assertLastEvent, dev, TestExt } from "../../runtime/testing/mod.ts";
import { freeBalance } from "../balances/mod.ts";
import { currentEra } from "../staking/mod.ts";
import { accessStorage, DEFAULT_CONFIG, voucherPayload } from "../access/mod.ts";
import { streamsStorage } from "../streams/mod.ts";
import { type Receipt, receiptPayload, type Report } from "./receipts.ts";
import { POT_ACCOUNT } from "./relays.ts";

/** One token: 12 decimals. */
export const TOKEN = 10n ** 12n;

/** The dev genesis existential deposit (0.001 token). */
export const ED = TOKEN / 1000n;

/**
 * Blocks per era in the tests: room for receipts of minutes. Era 0 begins
 * with block 1 (genesis executes nothing), so 101 blocks give it 600 s of
 * 6 s slots.
 */
export const ERA_LENGTH = 101;

/** The QoS section of the tests' genesis. */
export const QOS = {
  relayDeposit: 100n * TOKEN,
  eraIssuance: 1_000n * TOKEN,
  maxReceiptsPerReport: 4,
};

/** A test chain: 10-block eras, Alice's stash validating, {@link QOS} (and overrides of it). */
export function newExt(qos: Partial<Record<keyof typeof QOS, bigint | number>> = {}): TestExt {
  const config = { ...QOS, ...qos };
  return new TestExt({
    staking: {
      eraLength: ERA_LENGTH,
      bondingDuration: 2,
      validatorCount: 2,
      minValidatorBond: (1_000n * TOKEN).toString(),
      minNominatorBond: (10n * TOKEN).toString(),
      eraPayout: (1_000n * TOKEN).toString(),
      equivocationSlashPerbill: 100_000_000,
      stakers: [{
        stash: toHex(dev.aliceStash.publicKey),
        sessionKey: toHex(dev.alice.publicKey),
        bond: (100_000n * TOKEN).toString(),
        role: { Validator: { commissionPerbill: 0 } },
      }],
    },
    // Claims pay creator and relay only, so the pot holds what the tests put in it.
    access: {
      ...DEFAULT_CONFIG,
      minDeposit: DEFAULT_CONFIG.minDeposit.toString(),
      creatorSharePerbill: 850_000_000,
      relaySharePerbill: 150_000_000,
    },
    qosRewards: {
      relayDeposit: config.relayDeposit.toString(),
      eraIssuance: config.eraIssuance.toString(),
      maxReceiptsPerReport: Number(config.maxReceiptsPerReport),
    },
  });
}

/** Fails unless the call succeeded. */
export function ok(
  ext: TestExt,
  pallet: string,
  call: string,
  args: Record<string, unknown>,
  caller: Keypair,
): void {
  const result = ext.apply(pallet, call, args, caller);
  if (!result.ok) throw new Error(`${pallet}.${call} failed: ${result.error}`);
}

/** Registers `relay` at a placeholder endpoint. */
export function register(ext: TestExt, relay: Keypair): void {
  ok(ext, "QosRewards", "registerRelay", { endpoint: endpoint(relay) }, relay);
}

/** A relay's placeholder endpoint. */
export function endpoint(relay: Keypair): Uint8Array {
  return new TextEncoder().encode(`/dns4/relay-${toHex(relay.publicKey).slice(2, 10)}/tcp/30333`);
}

/** Creates a stream by `creator` (free unless priced), takes it live and returns its id. */
export function liveStream(ext: TestExt, creator: Keypair, pricePerSecond = 0n): bigint {
  const id = createStream(ext, creator, pricePerSecond);
  ok(ext, "Streams", "goLive", { id }, creator);
  return id;
}

/** `relay` announces that it carries `stream`. */
export function carry(ext: TestExt, relay: Keypair, stream: bigint): void {
  ok(ext, "Streams", "announceRelay", { id: stream }, relay);
}

/**
 * `viewer` pays for `seconds` more of `stream`: it opens a channel (once)
 * and signs a voucher that `relay` claims. Returns the channel's id. An
 * ed25519 dev keypair opens by direct dispatch, any other key (sr25519,
 * ecdsa; funded) by a signed extrinsic.
 */
export function pay(
  ext: TestExt,
  viewer: SigningKey,
  relay: Keypair,
  stream: bigint,
  seconds: number,
): bigint {
  const price = streamsStorage.Streams.get(ext.state, stream)!.pricePerSecond;
  let channel = accessStorage.ChannelsByViewer.get(ext.state, accountOf(viewer), stream);
  if (channel === undefined) {
    channel = accessStorage.NextChannelId.get(ext.state);
    const args = { stream, deposit: TOKEN, expiry: ext.blockNumber + 10 * ERA_LENGTH };
    if ("seed" in viewer) ok(ext, "Access", "openChannel", args, viewer as Keypair);
    else {
      const outcome = ext.applyExtrinsic(ext.signed("Access", "openChannel", args, viewer));
      if (!outcome.ok) throw new Error(`Access.openChannel failed: ${JSON.stringify(outcome)}`);
    }
  }
  const claimed = accessStorage.Lanes.get(ext.state, channel, relay.publicKey) ?? 0n;
  const cumulativeAmount = claimed + BigInt(seconds) * price;
  const payload = voucherPayload(ext.genesisHash, channel, relay.publicKey, cumulativeAmount);
  const signature = signMulti(viewer, payload);
  ok(ext, "Access", "claim", { channel, cumulativeAmount, signature }, relay);
  return channel;
}

/** Creates a stream by `creator` (free unless priced) and returns its id. */
export function createStream(ext: TestExt, creator: Keypair, pricePerSecond = 0n): bigint {
  const id = streamsStorage.NextStreamId.get(ext.state);
  ok(ext, "Streams", "createStream", {
    title: "test stream",
    pricePerSecond,
    meta: new Uint8Array(),
  }, creator);
  return id;
}

/** A receipt of `viewer` for service by `relay` on `stream` in `era`, signed (or by `signer`). */
export function receipt(
  ext: TestExt,
  viewer: SigningKey,
  relay: Keypair,
  stream: bigint,
  seconds: number,
  options: { era?: number; bytes?: bigint; signer?: SigningKey } = {},
): Receipt {
  const era = options.era ?? currentEra(ext.state);
  const bytes = options.bytes ?? BigInt(seconds) * 1000n;
  const payload = receiptPayload({
    genesisHash: ext.genesisHash,
    relay: relay.publicKey,
    stream,
    era,
    seconds,
    bytes,
  });
  const signature = signMulti(options.signer ?? viewer, payload);
  return { viewer: accountOf(viewer), seconds, bytes, signature };
}

/** A report on `stream` in the current era: perfect quality unless said. */
export function report(ext: TestExt, stream: bigint, fields: Partial<Report> = {}): Report {
  return {
    era: currentEra(ext.state),
    stream,
    bytesServed: 1_000_000n,
    secondsServed: 600,
    lossPermill: 0,
    jitterMs: 0,
    ...fields,
  };
}

/** Submits a report with receipts as `relay`. */
export function submit(
  ext: TestExt,
  relay: Keypair,
  rep: Report,
  receipts: Receipt[],
): ReturnType<TestExt["apply"]> {
  return ext.apply("QosRewards", "submitReport", { report: rep, receipts }, relay);
}

/** Submits and fails unless the report was accepted. */
export function accepted(ext: TestExt, relay: Keypair, rep: Report, receipts: Receipt[]): void {
  const result = submit(ext, relay, rep, receipts);
  if (!result.ok) throw new Error(`submitReport failed: ${result.error}`);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { relay: relay.publicKey });
}

/** Moves to the last block of the current era (if not there yet): it has lasted nearly all its time. */
export function lateInEra(ext: TestExt): void {
  const last = (currentEra(ext.state) + 1) * ERA_LENGTH - 1;
  if (ext.blockNumber < last) ext.nextBlock(last - ext.blockNumber);
}

/** Moves to the first block of era `era` (its `onInitialize` has run). */
export function toEra(ext: TestExt, era: number): void {
  ext.nextBlock(era * ERA_LENGTH - ext.blockNumber);
}

/** The reward pot's free balance. */
export function pot(ext: TestExt): bigint {
  return freeBalance(ext.state, POT_ACCOUNT);
}
