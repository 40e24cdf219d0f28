/**
 * The reward pot as an attacker goes for it: receipts from fresh keys on a
 * free stream, from the creator or the relay itself, for more seconds than
 * were paid for or than the era has lasted, or from a stream the relay does
 * not carry. Each once took the pot from an honest relay; each now earns
 * nothing beyond what was paid for.
 */
import assert from "node:assert/strict";
import { keypairFromUri } from "../../runtime/crypto/mod.ts";
import { assertLastEvent, assertNoop, dev, type TestExt } from "../../runtime/testing/mod.ts";
import { freeBalance } from "../balances/mod.ts";
import {
  accepted,
  carry,
  lateInEra,
  liveStream,
  newExt,
  pay,
  pot,
  receipt,
  register,
  report,
  toEra,
} from "./_mock.ts";
import { eraService } from "./mod.ts";

const attacker = dev.bob;
const honest = dev.ferdie;
const U32_MAX = 0xffff_ffff;

/** `relay`'s report of `receipts` on `stream` fails with `error` and changes nothing. */
function refused(
  ext: TestExt,
  relay: typeof attacker,
  stream: bigint,
  receipts: ReturnType<typeof receipt>[],
  error: string,
): void {
  const args = { report: report(ext, stream), receipts };
  assertNoop(ext, "QosRewards", "submitReport", args, relay, error);
}

/** A chain where the attacker, a registered relay, carries Eve's live stream at 1,000 planck/s. */
function carriedByAttacker() {
  const ext = newExt();
  register(ext, attacker);
  const stream = liveStream(ext, dev.eve, 1_000n);
  carry(ext, attacker, stream);
  return { ext, stream };
}

Deno.test("attack: a relay's free stream watched by fresh unfunded keys takes nothing from the pot", () => {
  const ext = newExt();
  register(ext, attacker);
  register(ext, honest);
  const free = liveStream(ext, attacker);
  carry(ext, attacker, free);
  const paid = liveStream(ext, dev.eve, 1_000n);
  carry(ext, honest, paid);
  pay(ext, dev.charlie, honest, paid, 600);
  lateInEra(ext);

  const sybils = [1, 2, 3, 4].map((i) => keypairFromUri(`//Sybil${i}`));
  const fakes = sybils.map((key) => receipt(ext, key, attacker, free, U32_MAX));
  refused(ext, attacker, free, fakes, "QosRewards.NoAccess");
  accepted(ext, honest, report(ext, paid), [receipt(ext, dev.charlie, honest, paid, 600)]);

  const before = freeBalance(ext.state, honest.publicKey);
  const inPot = pot(ext);
  toEra(ext, 1);
  const earned = freeBalance(ext.state, honest.publicKey) - before;
  assert(earned > inPot, "the honest relay takes the pot (and the era's issuance)");
  assert.equal(freeBalance(ext.state, attacker.publicKey) < before, true);
});

Deno.test("attack: the stream's creator and the relay itself earn nothing as viewers, even paying", () => {
  const { ext, stream } = carriedByAttacker();
  pay(ext, attacker, attacker, stream, 300);
  lateInEra(ext);
  const own = receipt(ext, attacker, attacker, stream, 300);
  const creator = receipt(ext, dev.eve, attacker, stream, 300);
  refused(ext, attacker, stream, [own, creator], "QosRewards.NoAccess");
});

Deno.test("attack: an allow-listed viewer, who pays nothing, earns the relay nothing", () => {
  const { ext, stream } = carriedByAttacker();
  const who = { tag: "Id", value: dev.charlie.publicKey };
  assert(ext.apply("Access", "grantAccess", { stream, who }, dev.eve).ok);
  lateInEra(ext);
  refused(
    ext,
    attacker,
    stream,
    [receipt(ext, dev.charlie, attacker, stream, 60)],
    "QosRewards.NoAccess",
  );
});

Deno.test("attack: receipts for more seconds than the channel paid for count only what was paid", () => {
  const { ext, stream } = carriedByAttacker();
  pay(ext, dev.charlie, attacker, stream, 30);
  lateInEra(ext);
  accepted(ext, attacker, report(ext, stream), [receipt(ext, dev.charlie, attacker, stream, 500)]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: 30n });
  refused(
    ext,
    attacker,
    stream,
    [receipt(ext, dev.charlie, attacker, stream, 500)],
    "QosRewards.DuplicateReceipt",
  );
  // Paying 20 s more lets the same cumulative receipt count 20 s more.
  pay(ext, dev.charlie, attacker, stream, 20);
  accepted(ext, attacker, report(ext, stream), [receipt(ext, dev.charlie, attacker, stream, 500)]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: 20n });
});

Deno.test("attack: receipts for more seconds than the era has lasted count only the time elapsed", () => {
  const { ext, stream } = carriedByAttacker();
  pay(ext, dev.charlie, attacker, stream, 10_000);
  // Era 0 began with block 1: at block n it has lasted n slots of 6 s.
  const elapsed = BigInt(ext.blockNumber) * 6n;
  accepted(ext, attacker, report(ext, stream), [
    receipt(ext, dev.charlie, attacker, stream, U32_MAX),
  ]);
  assertLastEvent(ext, "QosRewards", "ReportAccepted", { verifiedSeconds: elapsed });
});

Deno.test("attack: two relays cannot both be credited for the same paid seconds", () => {
  const ext = newExt();
  register(ext, attacker);
  register(ext, honest);
  const stream = liveStream(ext, dev.eve, 1_000n);
  carry(ext, attacker, stream);
  carry(ext, honest, stream);
  pay(ext, dev.charlie, honest, stream, 100);
  lateInEra(ext);
  accepted(ext, honest, report(ext, stream), [receipt(ext, dev.charlie, honest, stream, 100)]);
  refused(
    ext,
    attacker,
    stream,
    [receipt(ext, dev.charlie, attacker, stream, 100)],
    "QosRewards.DuplicateReceipt",
  );
  assert.equal(eraService(ext.state, 0, attacker.publicKey), undefined);
});

Deno.test("attack: a relay that does not carry the stream cannot report on it", () => {
  const ext = newExt();
  register(ext, attacker);
  register(ext, honest);
  const stream = liveStream(ext, dev.eve, 1_000n);
  carry(ext, honest, stream);
  pay(ext, dev.charlie, honest, stream, 100);
  lateInEra(ext);
  refused(
    ext,
    attacker,
    stream,
    [receipt(ext, dev.charlie, attacker, stream, 100)],
    "QosRewards.NotCarrying",
  );
});
