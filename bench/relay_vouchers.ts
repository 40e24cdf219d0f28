/**
 * `relay.vouchers`: vouchers the payment desk takes per second — parsed,
 * checked against the chain state at the best block (channel, viewer,
 * stream, deposit, monotonic), signature verified, written to the relay's
 * LevelDB and acknowledged — from 32 viewers paying at once on one stream of
 * an in-process dev chain. Ceiling: verifications per second of the
 * viewers' kind of signature on one thread (the check's dominant cost),
 * measured in the same run: native ed25519 for `relay.vouchers`,
 * schnorrkel's sr25519 for `relay.vouchers.sr25519` (polkadot.js Apps'
 * accounts).
 *
 * Vouchers are signed before the clock starts (signing is the viewers'
 * work); each viewer sends its vouchers in order, as a data channel would
 * deliver them, and the figure is the median of three rounds.
 *
 * @module
 */
import { accountOf, type KeyScheme, signerFromUri } from "../runtime/crypto/mod.ts";
import {
  alice,
  liveStream,
  openChannel,
  RecordingPort,
  startChain,
  testLogger,
  TOKEN,
  until,
  voucher,
} from "../node/relay/pay/_testing.ts";
import { PaymentDesk } from "../node/relay/pay/mod.ts";
import { NO_PAYEE } from "../client/relay/pay_messages.ts";
import { nativeVerifiesPerSecond, sr25519VerifiesPerSecond } from "./_ceiling.ts";
import type { BenchResult } from "./_result.ts";

const VIEWERS = 32;
const PER_ROUND = 300;
const ROUNDS = 3;
const PRICE = 1_000n;

/** The rate with ed25519 viewers, then with sr25519 ones, each against its verify ceiling. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (
    const [name, scheme, ceiling] of [
      ["relay.vouchers", "ed25519", nativeVerifiesPerSecond],
      ["relay.vouchers.sr25519", "sr25519", sr25519VerifiesPerSecond],
    ] as const
  ) {
    const value = await rate(scheme);
    const verifies = ceiling();
    results.push({
      name,
      value: Math.round(value),
      unit: "vouchers/s",
      ceiling: Math.round(verifies),
      ratio: Number((value / verifies).toFixed(3)),
    });
  }
  return results;
}

/** Sets up the chain and the desk, pays for three rounds with `scheme` viewers, gives the median rate. */
async function rate(scheme: KeyScheme): Promise<number> {
  const chain = await startChain();
  try {
    const viewers = Array.from(
      { length: VIEWERS },
      (_, i) => signerFromUri(`//bench//${i}`, scheme),
    );
    for (const viewer of viewers) {
      chain.signer(alice).submit({
        pallet: "Balances",
        call: "transferKeepAlive",
        args: { dest: { tag: "Id", value: accountOf(viewer) }, value: 10n * TOKEN },
      });
    }
    await chain.block();
    const stream = await liveStream(chain, alice, PRICE);
    const channels: bigint[] = [];
    for (const viewer of viewers) channels.push(await openChannel(chain, viewer, stream, TOKEN));
    const desk = await PaymentDesk.open({
      client: chain.client,
      path: `${chain.dir}/relay`,
      log: testLogger(),
      graceSeconds: 5,
    });
    try {
      const ports = viewers.map((v) => new RecordingPort(stream, v.account));
      const sessions = ports.map((port) => desk.session(port));
      const rates: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const texts = viewers.map((viewer, v) =>
          Array.from({ length: PER_ROUND }, (_, i) => {
            const amount = PRICE * BigInt(round * PER_ROUND + i + 1);
            return voucher(viewer, chain.client.genesisHash, channels[v], amount, NO_PAYEE);
          })
        );
        const acked = (round + 1) * PER_ROUND;
        const start = performance.now();
        for (let i = 0; i < PER_ROUND; i++) {
          for (let v = 0; v < VIEWERS; v++) sessions[v].onMessage(texts[v][i]);
        }
        await until(
          "every ack",
          () => ports.every((p) => p.of("ack").length === acked),
          120_000,
        );
        rates.push((VIEWERS * PER_ROUND) / ((performance.now() - start) / 1000));
        if (ports.some((p) => p.of("refused").length > 0)) throw new Error("A voucher was refused");
      }
      await Promise.all(sessions.map((s) => s.close()));
      return rates.sort((a, b) => a - b)[1];
    } finally {
      await desk.close();
    }
  } finally {
    await chain.close();
  }
}

if (import.meta.main) console.table(await run());
