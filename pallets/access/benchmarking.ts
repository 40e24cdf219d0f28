/**
 * Benchmarks of the access pallet's calls, each in its worst case, on the
 * tests' chain (`_fixture.ts`: Alice's live priced stream 0, carried by the
 * relay Charlie). `claim` pays a relay (three payouts) and uses the channel
 * up, once per kind of voucher signature (`claim` with ed25519,
 * `claimSr25519`, `claimEcdsa`: the kind is the viewer's account's, and its
 * verification dominates); `topUp` refills a used-up channel and moves its
 * expiry; `close` refunds and clears a lane for every payee a channel can
 * have; `migrateV1LaneCount` counts the lanes of every open channel.
 *
 * @module
 */
import { defineBenchmarks, ensure, fund, hasEvent, ok } from "../../runtime/benchmarking/mod.ts";
import {
  accountOf,
  type Keypair,
  type KeyScheme,
  signerFromUri,
  type SigningKey,
} from "../../runtime/crypto/mod.ts";
import { dev, type TestExt } from "../../runtime/testing/mod.ts";
import { MAX_RELAYS_PER_STREAM, streamsStorage } from "../streams/mod.ts";
import { CONFIG, open, setup, STREAM, TOKEN, voucher } from "./_fixture.ts";
import { accessStorage as storage, MAX_ALLOW_LIST } from "./mod.ts";

/** The most channels and lanes the v1 migration is measured over (its weight is linear beyond). */
const MIGRATION_CHANNELS = 1_000;
const MIGRATION_LANES = 5_000;

/** A distinct 32-byte payee for lane `i` (no keypair needed: only the key matters). */
function payee(i: number): Uint8Array {
  const who = new Uint8Array(32).fill(9);
  new DataView(who.buffer).setUint32(0, i, true);
  return who;
}

const DEPOSIT = 100n * TOKEN;
const id = (who: Keypair) => ({ tag: "Id", value: who.publicKey });

/**
 * Charlie's claim of `viewer`'s whole channel: `viewer` funded (the ecdsa
 * dev accounts are not) and its channel opened.
 */
function claimOf(ext: TestExt, viewer: SigningKey) {
  fund(ext, accountOf(viewer), 1_000n * TOKEN);
  const channel = open(ext, DEPOSIT, ext.blockNumber + 100, viewer);
  return {
    call: "claim",
    origin: dev.charlie.publicKey,
    args: voucher(ext, channel, DEPOSIT, { signer: viewer }),
  };
}

/** The `claim` benchmark of a viewer whose account signs in `scheme`. */
function claimBenchmark(scheme: Exclude<KeyScheme, "ed25519">, docs: string) {
  return {
    docs,
    setup: (ext: TestExt) => claimOf(ext, signerFromUri("//Bob", scheme)),
    verify: (ext: TestExt) => ensure(hasEvent(ext, "Access", "Claimed"), "nothing claimed"),
  };
}

/** Bob's channel, used up by a claim of Charlie's. */
function usedUp(ext: TestExt): bigint {
  const channel = open(ext, DEPOSIT);
  ok(ext.apply("Access", "claim", voucher(ext, channel, DEPOSIT), dev.charlie), "Access.claim");
  return channel;
}

/** The access pallet's benchmarks. */
export const benchmarks = defineBenchmarks({
  pallet: "Access",
  newExt: () => setup(),
  benchmarks: {
    openChannel: {
      docs: "Reserves the deposit and adds a consumer reference.",
      setup: (ext) => ({
        call: "openChannel",
        origin: dev.bob.publicKey,
        args: { stream: STREAM, deposit: DEPOSIT, expiry: ext.blockNumber + 100 },
      }),
      verify: (ext) => ensure(hasEvent(ext, "Access", "ChannelOpened"), "no channel opened"),
    },
    claim: {
      docs: "An ed25519 verification, then three repatriations (creator, relay, pot).",
      setup: (ext) => claimOf(ext, dev.bob),
      verify: (ext) => ensure(hasEvent(ext, "Access", "Claimed"), "nothing claimed"),
    },
    claimSr25519: claimBenchmark(
      "sr25519",
      "An sr25519 verification, then three repatriations (creator, relay, pot).",
    ),
    claimEcdsa: claimBenchmark(
      "ecdsa",
      "An ecdsa key recovery and its blake2-256, then three repatriations (creator, relay, pot).",
    ),
    topUp: {
      docs: "Reserves more and moves the expiry of a used-up channel.",
      setup(ext) {
        const channel = usedUp(ext);
        const expiry = storage.Channels.get(ext.state, channel)!.expiry;
        return {
          call: "topUp",
          origin: dev.bob.publicKey,
          args: { channel, amount: TOKEN, newExpiry: expiry + 10 },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Access", "ChannelToppedUp"), "not topped up"),
    },
    close: {
      docs: `Refunds the rest and clears up to ${MAX_RELAYS_PER_STREAM + 1} lanes (the creator's ` +
        "and each carrying relay's).",
      components: [{ name: "lanes", min: 0, max: MAX_RELAYS_PER_STREAM + 1 }],
      setup(ext, c) {
        const channel = open(ext, DEPOSIT, ext.blockNumber + 1);
        // Lanes as claims leave them; written directly, as only the count matters here.
        for (let i = 0; i < c.lanes; i++) {
          storage.Lanes.set(ext.state, channel, new Uint8Array(32).fill(i + 1), 1n);
        }
        ext.nextBlock(CONFIG.settleWindow + 2);
        return { call: "close", origin: dev.bob.publicKey, args: { channel } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Access", "ChannelClosed"), "not closed"),
    },
    grantAccess: {
      docs: "Reserves the allow-list deposit.",
      setup: () => ({
        call: "grantAccess",
        origin: dev.alice.publicKey,
        args: { stream: STREAM, who: id(dev.dave) },
      }),
      verify: (ext) => ensure(hasEvent(ext, "Access", "AccessGranted"), "not granted"),
    },
    revokeAccess: {
      docs: "Returns the allow-list deposit.",
      setup(ext) {
        ok(
          ext.apply("Access", "grantAccess", { stream: STREAM, who: id(dev.dave) }, dev.alice),
          "Access.grantAccess",
        );
        return {
          call: "revokeAccess",
          origin: dev.alice.publicKey,
          args: { stream: STREAM, who: id(dev.dave) },
        };
      },
      verify: (ext) => ensure(hasEvent(ext, "Access", "AccessRevoked"), "not revoked"),
    },
    removeStream: {
      docs: `Clears up to ${MAX_ALLOW_LIST} allow-list entries (\`MAX_ALLOW_LIST\`) and the ` +
        `stream's ${MAX_RELAYS_PER_STREAM} ended relays, and returns both deposits.`,
      components: [{ name: "entries", min: 0, max: MAX_ALLOW_LIST }],
      setup(ext, c) {
        for (let i = 0; i < c.entries; i++) {
          const who = {
            tag: "Id",
            value: new Uint8Array(32).fill(7).map((b, j) => j < 2 ? i >> (8 * j) & 255 : b),
          };
          ok(ext.apply("Access", "grantAccess", { stream: STREAM, who }, dev.alice), "grantAccess");
        }
        ok(ext.apply("Streams", "endStream", { id: STREAM }, dev.alice), "Streams.endStream");
        // As many relays as may carry a stream carried it at the end.
        for (let i = 0; i < MAX_RELAYS_PER_STREAM; i++) {
          streamsStorage.EndedRelays.set(ext.state, STREAM, new Uint8Array(32).fill(i + 1), 1);
        }
        return { call: "removeStream", origin: dev.bob.publicKey, args: { stream: STREAM } };
      },
      verify: (ext) => ensure(hasEvent(ext, "Streams", "StreamRemoved"), "not removed"),
    },
    migrateV1LaneCount: {
      docs: "Counts the lanes of every open channel in one pass and writes each count (v0 → v1).",
      components: [
        { name: "channels", min: 1, max: MIGRATION_CHANNELS },
        { name: "lanes", min: 0, max: MIGRATION_LANES },
      ],
      params: ["channels", "lanes"],
      setup(ext, c) {
        // Written directly: only how many channels and lanes there are matters.
        const channel = { viewer: dev.bob.publicKey, stream: STREAM, deposit: 1n, claimed: 0n };
        for (let i = 0; i < c.channels; i++) {
          storage.Channels.set(ext.state, BigInt(i), { ...channel, expiry: 1_000 });
        }
        for (let i = 0; i < c.lanes; i++) {
          storage.Lanes.set(ext.state, BigInt(i % c.channels), payee(i), 1n);
        }
        // In the trie, as the upgrade block finds them, not in the block's pending writes.
        ext.nextBlock();
        return { migration: 0 };
      },
      verify(ext, c) {
        let lanes = 0;
        for (const [, n] of storage.LaneCount.entries(ext.state)) lanes += n;
        ensure(lanes === c.lanes, `counted ${lanes} lanes of ${c.lanes}`);
      },
    },
  },
});
