/**
 * Builds `blocks` blocks of seeded random signed extrinsics and prints each
 * block's state root, one per line. Two processes given the same seed must
 * print the same lines (see determinism_test.ts).
 *
 * Usage: deno run -A tests/_determinism_chain.ts SEED BLOCKS
 */
import { dev, TestExt } from "../runtime/testing/mod.ts";
import { toHex } from "../runtime/primitives/hex.ts";
import { TransactionValidityError } from "../runtime/executive/validity.ts";

const [seedArg, blocksArg] = Deno.args;
let seed = Number(seedArg) >>> 0 || 1;
/** xorshift32: a seeded generator, so both processes draw the same sequence. */
function next(n: number): number {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
}

const accounts = Object.values(dev);
const ext = new TestExt();
const lines: string[] = [];
for (let block = 0; block < Number(blocksArg); block++) {
  const count = next(6);
  for (let i = 0; i < count; i++) {
    const from = accounts[next(accounts.length)];
    const to = { tag: "Id", value: accounts[next(accounts.length)].publicKey };
    const amount = BigInt(next(1_000_000)) * 10n ** BigInt(next(19));
    const choice = next(4);
    const bytes = choice === 0
      ? ext.signed("Balances", "transferAllowDeath", { dest: to, value: amount }, from)
      : choice === 1
      ? ext.signed("Balances", "transferKeepAlive", { dest: to, value: amount }, from, {
        tip: BigInt(next(1000)),
      })
      : choice === 2
      ? ext.signed("System", "remarkWithEvent", {
        remark: new Uint8Array(next(64)).fill(next(256)),
      }, from)
      : ext.signed("Balances", "transferAll", { dest: to, keepAlive: next(2) === 0 }, from);
    try {
      ext.applyExtrinsic(bytes);
    } catch (e) {
      if (!(e instanceof TransactionValidityError)) throw e;
    }
  }
  ext.nextBlock();
  lines.push(`${ext.parent.number} ${toHex(ext.parent.stateRoot)}`);
}
console.log(lines.join("\n"));
