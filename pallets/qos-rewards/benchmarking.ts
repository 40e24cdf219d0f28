/**
 * Benchmarks of the QoS-rewards pallet's calls and its era hook, each in its
 * worst case, on the tests' chain (`_mock.ts`) with the default 256 receipts
 * a report may carry: a report whose every receipt is signed by a distinct
 * paying viewer and counts, once per kind of signature (`submitReport` with
 * ed25519 receipts, `submitReportSr25519`, `submitReportEcdsa`: the kind is
 * each viewer's account's, and its verification dominates a receipt's
 * cost); a relay that leaves while carrying as many
 * streams as it may; an era payout that creates every rewarded relay's
 * account; a block's cleanup at its bound, every entry deleted.
 *
 * @module
 */
import {
  account,
  type Components,
  defineBenchmarks,
  ensure,
  fund,
  hasEvent,
  ok,
} from "../../runtime/benchmarking/mod.ts";
import {
  accountOf,
  type Keypair,
  type KeyScheme,
  signerFromUri,
  type SigningKey,
} from "../../runtime/crypto/mod.ts";
import type { TestExt } from "../../runtime/testing/mod.ts";
import { currentEra } from "../staking/mod.ts";
import { MAX_STREAMS_PER_RELAY } from "../streams/mod.ts";
import { carry, liveStream, newExt, pay, receipt, report, TOKEN } from "./_mock.ts";
import { MAX_CLEANUP_PER_BLOCK } from "./_cleanup.ts";
import { MAX_ENDPOINT_LENGTH, storage } from "./_storage.ts";
import { MAX_RELAYS, relayStorage } from "./relays.ts";

/** Receipts a report may carry: the chain-spec default (`maxReceiptsPerReport`). */
const MAX_RECEIPTS = 256;
const PRICE = TOKEN / 1000n;

const relay = account("relay", 0);
const endpoint = { name: "bytes", min: 0, max: MAX_ENDPOINT_LENGTH };

/** `relay`, funded and registered. */
function registered(ext: TestExt, who: Keypair = relay, bytes = 32): void {
  fund(ext, who.publicKey, 1_000_000n * TOKEN);
  ok(
    ext.apply("QosRewards", "registerRelay", { endpoint: new Uint8Array(bytes) }, who),
    "QosRewards.registerRelay",
  );
}

/** A viewer whose account signs in `scheme`: distinct for each `index`. */
function viewerKey(scheme: KeyScheme, index: number): SigningKey {
  return scheme === "ed25519"
    ? account("viewer", index)
    : signerFromUri(`//sutantra-bench//viewer//${index}`, scheme);
}

/** A report of `receipts` receipts from distinct paying viewers whose accounts sign in `scheme`. */
function submitReportBenchmark(scheme: KeyScheme, verification: string) {
  return {
    docs: `Per receipt: ${verification}, an access check, a counted-receipt and a ` +
      "credited-seconds read and write.",
    components: [{ name: "receipts", min: 1, max: MAX_RECEIPTS }],
    params: ["receipts"],
    setup(ext: TestExt, c: Components) {
      registered(ext);
      const creator = account("creator", 0);
      fund(ext, creator.publicKey, 1_000_000n * TOKEN);
      const stream = liveStream(ext, creator, PRICE);
      carry(ext, relay, stream);
      const receipts = Array.from({ length: c.receipts }, (_, i) => {
        const viewer = viewerKey(scheme, i);
        fund(ext, accountOf(viewer), 10n * TOKEN);
        pay(ext, viewer, relay, stream, 10);
        // 5 s: within the 6 s the era has lasted (its first block) and the 10 s paid for.
        return receipt(ext, viewer, relay, stream, 5);
      });
      return {
        call: "submitReport",
        origin: relay.publicKey,
        args: { report: report(ext, stream), receipts },
      };
    },
    verify: (ext: TestExt) => ensure(hasEvent(ext, "QosRewards", "ReportAccepted"), "not accepted"),
  };
}

/** The QoS-rewards pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "QosRewards",
  newExt: () => newExt({ maxReceiptsPerReport: MAX_RECEIPTS }),
  benchmarks: {
    registerRelay: {
      docs: `Reserves the deposit and stores an endpoint of up to ${MAX_ENDPOINT_LENGTH} bytes.`,
      components: [endpoint],
      setup(ext, c) {
        fund(ext, relay.publicKey, 1_000_000n * TOKEN);
        // The last place in the registry: the cap's counter is read and written.
        relayStorage.CounterForRelays.set(ext.state, MAX_RELAYS - 1);
        return {
          call: "registerRelay",
          origin: relay.publicKey,
          args: { endpoint: new Uint8Array(c.bytes) },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "QosRewards", "RelayRegistered"), "not registered"),
    },
    deregisterRelay: {
      docs: `Unreserves, and withdraws from up to ${MAX_STREAMS_PER_RELAY} streams ` +
        "(`MAX_STREAMS_PER_RELAY`).",
      components: [{ name: "streams", min: 0, max: MAX_STREAMS_PER_RELAY }],
      setup(ext, c) {
        registered(ext, relay, MAX_ENDPOINT_LENGTH);
        const creator = account("creator", 0);
        fund(ext, creator.publicKey, 1_000_000n * TOKEN);
        for (let i = 0; i < c.streams; i++) carry(ext, relay, liveStream(ext, creator));
        return { call: "deregisterRelay", origin: relay.publicKey, args: {} };
      },
      verify: (ext) => ensure(hasEvent(ext, "QosRewards", "RelayDeregistered"), "still a relay"),
    },
    updateEndpoint: {
      components: [endpoint],
      params: ["bytes"],
      setup(ext, c) {
        registered(ext, relay, MAX_ENDPOINT_LENGTH);
        return {
          call: "updateEndpoint",
          origin: relay.publicKey,
          args: { endpoint: new Uint8Array(c.bytes).fill(1) },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "QosRewards", "EndpointUpdated"), "not updated"),
    },
    submitReport: submitReportBenchmark("ed25519", "an ed25519 verification"),
    submitReportSr25519: submitReportBenchmark("sr25519", "an sr25519 verification"),
    submitReportEcdsa: submitReportBenchmark("ecdsa", "an ecdsa key recovery and its blake2-256"),
    idleBlock: {
      docs:
        "The `onInitialize` hook in a block that does not end an era and has nothing to clean up: " +
        "five reads.",
      setup: () => ({ hook: "onInitialize" }),
      verify: (ext) => ensure(!hasEvent(ext, "QosRewards", "EraRewardsPaid"), "an era was paid"),
    },
    cleanupReceipts: {
      weight: "cleanup",
      docs: "Per entry of cleanup in a block's `onInitialize` (at most " +
        `${MAX_CLEANUP_PER_BLOCK}, \`MAX_CLEANUP_PER_BLOCK\`): a paid era's counted receipt ` +
        "deleted, or a credit looked at and its closed channel's entry deleted.",
      components: [{ name: "entries", min: 0, max: MAX_CLEANUP_PER_BLOCK }],
      params: ["entries"],
      setup(ext, c) {
        const era = currentEra(ext.state) + 1;
        for (let i = 0; i < c.entries; i++) {
          const who = account("viewer", i).publicKey;
          storage.CountedReceipts.set(ext.state, era, [who, BigInt(i), who], {
            seconds: 60,
            bytes: 60_000n,
          });
        }
        storage.StaleReceiptEras.set(ext.state, [era]);
        return { hook: "onInitialize" };
      },
      verify(ext) {
        const era = currentEra(ext.state) + 1;
        ensure(![...storage.CountedReceipts.entriesOf(ext.state, era)].length, "not cleared");
      },
    },
    cleanupCredits: {
      weight: "cleanup",
      components: [{ name: "entries", min: 0, max: MAX_CLEANUP_PER_BLOCK }],
      params: ["entries"],
      setup(ext, c) {
        // Credits of channels that are gone: each is looked at and deleted.
        for (let i = 0; i < c.entries; i++) {
          storage.CreditedSeconds.set(ext.state, [BigInt(i), account("paid", i).publicKey], 60n);
        }
        storage.CreditSweep.set(ext.state, { after: undefined });
        return { hook: "onInitialize" };
      },
      verify: (ext) => ensure(![...storage.CreditedSeconds.entries(ext.state)].length, "not swept"),
    },
    eraPayout: {
      docs:
        "The `onInitialize` hook at an era boundary: a mint, then a transfer to each rewarded " +
        `relay (creating its account; at most ${MAX_RELAYS}, \`MAX_RELAYS\`) and the era's ` +
        "service cleared.",
      components: [{ name: "relays", min: 0, max: MAX_RELAYS }],
      params: ["relays"],
      setup(ext, c) {
        // Collecting the era after staking's: the hook pays it exactly as it
        // pays the era that just ended, without running a whole era of blocks.
        const era = currentEra(ext.state) + 1;
        storage.CurrentEra.set(ext.state, era);
        for (let i = 0; i < c.relays; i++) {
          const who = account("paid", i).publicKey;
          storage.EraServices.set(ext.state, era, who, {
            verifiedSeconds: 600n,
            verifiedBytes: 600_000n,
            score: 600n,
          });
        }
        storage.CounterForEraServices.set(ext.state, c.relays);
        return { hook: "onInitialize" };
      },
      verify(ext, c) {
        ensure(hasEvent(ext, "QosRewards", "EraRewardsPaid"), "the era was not paid");
        const paid = ext.events().filter((e) => e.name === "RelayRewarded").length;
        ensure(paid === c.relays, `${paid} of ${c.relays} relays paid`);
      },
    },
  },
});
