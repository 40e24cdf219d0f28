/**
 * Test helpers for the payment desk and the QoS reporter: Alice's dev chain
 * in process on a temp LevelDB (a `ChainClient`, a pool kept in step with
 * it, blocks authored on demand), accounts of any key scheme that sign real
 * transactions, a
 * live stream and a payment channel on it, and a `ViewerPort` that records
 * what the desk sends to the viewer (the media side is not under test).
 *
 * @module
 */
import { devSpec, TOKEN } from "../../../chain-spec/presets.ts";
import {
  accountOf,
  keypairFromUri,
  type SigningKey,
  signMulti,
} from "../../../runtime/crypto/mod.ts";
import type { EventRecord } from "../../../runtime/executive/runtime.ts";
import { runtime } from "../../../runtime/mod.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import type { StateReader } from "../../../runtime/storage/overlay.ts";
import { voucherPayload } from "../../../pallets/access/voucher.ts";
import { ChainClient } from "../../chain/mod.ts";
import { BlockAuthor } from "../../consensus/mod.ts";
import { ChainDatabase } from "../../db/mod.ts";
import { createLogger, type Logger } from "../../log.ts";
import { LocalSigner } from "../../pool/local_signer.ts";
import { followChain, TransactionPool } from "../../pool/mod.ts";
import type { ViewerStats } from "../media/viewer.ts";
import type { ViewerPort } from "../relay.ts";
import {
  channelToWire,
  type RelayMessage,
  signatureToWire,
} from "../../../client/relay/pay_messages.ts";
import { PaymentDesk, type PaymentDeskInit } from "./desk.ts";

export const alice = keypairFromUri("//Alice");
export const bob = keypairFromUri("//Bob");
export const charlie = keypairFromUri("//Charlie");
export const dave = keypairFromUri("//Dave");
export { TOKEN };

/** A logger that keeps its lines (tests may look for one) and prints errors. */
export function testLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = createLogger("debug", (line) => lines.push(line));
  return { ...log, error: (m) => (console.error(m), log.error(m)), lines };
}

/** Alice's dev chain in this process, authoring only when asked. */
export interface TestChain {
  client: ChainClient;
  pool: TransactionPool;
  /** A directory that is removed on close (for the desk's own database). */
  dir: string;
  /** The state at the best block. */
  state(): StateReader;
  /** Authors a block with the ready transactions; returns its events. */
  block(): Promise<EventRecord[]>;
  /** Signs `call` with `key`, includes it in a block; throws when its dispatch failed. */
  apply(key: SigningKey, pallet: string, call: string, args: Record<string, unknown>): Promise<
    EventRecord[]
  >;
  /** A signer for `key` submitting into the pool (as the node's `LocalSigner`). */
  signer(key: SigningKey): LocalSigner;
  close(): Promise<void>;
}

/** Starts Alice's dev chain with fast slots and `eraLength`-block eras. */
export async function startChain(eraLength = 100): Promise<TestChain> {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-pay-" });
  const spec = devSpec();
  const genesis = (spec.genesis as { runtime: Record<string, Record<string, unknown>> }).runtime;
  genesis.authorship.slotDurationMs = 200;
  genesis.timestamp.minimumPeriodMs = 100;
  genesis.staking.eraLength = eraLength;
  const db = await ChainDatabase.open(`${dir}/chain`);
  const client = await ChainClient.open({ db, spec, verifierThreads: 1 });
  const pool = new TransactionPool({ executive: client.executive });
  const errors: unknown[] = [];
  const stopFollowing = followChain(client, pool, (e) => errors.push(e));
  const author = new BlockAuthor({
    client,
    key: alice,
    slotDurationMs: 200,
    transactions: pool,
    onAuthored: (proposal) => {
      if (proposal.rejected.length) pool.remove(proposal.rejected.map((r) => r.hash));
    },
  });
  const state = () => client.stateAt(client.best.header);
  const block = async () => {
    await author.authorNow();
    return runtime.decodeEvents(runtime.system.events(state()));
  };
  const signers = new Map<string, LocalSigner>();
  const signer = (key: SigningKey) => {
    const id = toHex(accountOf(key));
    if (!signers.has(id)) signers.set(id, new LocalSigner({ client, pool, key }));
    return signers.get(id)!;
  };
  return {
    client,
    pool,
    dir,
    state,
    block,
    signer,
    async apply(key, pallet, call, args) {
      signer(key).submit({ pallet, call, args });
      const events = await block();
      const failed = events.find((e) => e.name === "ExtrinsicFailed");
      if (failed) throw new Error(`${pallet}.${call} failed: ${JSON.stringify(failed.data)}`);
      return events;
    },
    async close() {
      await author.stop();
      await stopFollowing();
      await client.close();
      await db.close();
      await Deno.remove(dir, { recursive: true });
      if (errors.length) throw errors[0];
    },
  };
}

/** A payment desk over `chain` in its directory: keyless, 5 s of grace, unless `init` says otherwise. */
export function openDesk(
  chain: TestChain,
  init: Partial<PaymentDeskInit> = {},
): Promise<PaymentDesk> {
  return PaymentDesk.open({
    client: chain.client,
    path: `${chain.dir}/relay`,
    log: testLogger(),
    graceSeconds: 5,
    ...init,
  });
}

/** Creates a stream of `creator` at `price` per second and puts it live; returns its id. */
export async function liveStream(chain: TestChain, creator: SigningKey, price: bigint) {
  const events = await chain.apply(creator, "Streams", "createStream", {
    title: "pay test",
    pricePerSecond: price,
    meta: new Uint8Array(),
  });
  const id = events.find((e) => e.name === "StreamCreated")!.data.id as bigint;
  await chain.apply(creator, "Streams", "goLive", { id });
  return id;
}

/** Opens `viewer`'s channel to `stream` with `deposit`; returns its id. */
export async function openChannel(
  chain: TestChain,
  viewer: SigningKey,
  stream: bigint,
  deposit: bigint,
): Promise<bigint> {
  const events = await chain.apply(viewer, "Access", "openChannel", {
    stream,
    deposit,
    expiry: chain.client.best.header.number + 1_000,
  });
  return events.find((e) => e.name === "ChannelOpened")!.data.channel as bigint;
}

/** Registers `relay` and announces that it carries `stream`. */
export async function carry(chain: TestChain, relay: SigningKey, stream: bigint): Promise<void> {
  await chain.apply(relay, "QosRewards", "registerRelay", { endpoint: new Uint8Array([1]) });
  await chain.apply(relay, "Streams", "announceRelay", { id: stream });
}

/** A voucher message for `genesis`, `channel` and `payee` (the relay serving), signed by `key`. */
export function voucher(
  key: SigningKey,
  genesis: Uint8Array,
  channel: bigint,
  amount: bigint,
  payee: Uint8Array,
): string {
  return JSON.stringify({
    type: "voucher",
    channel: channelToWire(channel),
    amount: amount.toString(),
    signature: signatureToWire(signMulti(key, voucherPayload(genesis, channel, payee, amount))),
  });
}

/** A `ViewerPort` that records what the desk sends and does. */
export class RecordingPort implements ViewerPort {
  readonly sent: RelayMessage[] = [];
  readonly cutOffs: string[] = [];
  /** When each cut-off came (`Date.now()`). */
  readonly cutOffTimes: number[] = [];
  readonly counters: ViewerStats = { bytesSent: 0, packetsSent: 0, lossPermill: 0, jitterMs: 0 };

  constructor(readonly stream: bigint, readonly viewer: Uint8Array) {}

  send(message: RelayMessage): void {
    this.sent.push(message);
  }

  cutOff(reason: string): void {
    this.cutOffs.push(reason);
    this.cutOffTimes.push(Date.now());
  }

  stats(): ViewerStats {
    return { ...this.counters };
  }

  /** The messages of one type sent so far. */
  of<T extends RelayMessage["type"]>(type: T): Extract<RelayMessage, { type: T }>[] {
    return this.sent.filter((m) => m.type === type) as Extract<RelayMessage, { type: T }>[];
  }

  /** The last message sent. */
  get last(): RelayMessage | undefined {
    return this.sent.at(-1);
  }
}

/** Waits until `check` holds, failing after `ms`. */
export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
