import { deepStrictEqual as assertEquals, ok, rejects, throws } from "node:assert/strict";
import { keypairFromUri, verifyNative } from "../../runtime/crypto/mod.ts";
import { BlockError } from "../../runtime/executive/executive.ts";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import { TOKEN } from "../../chain-spec/presets.ts";
import { applyWithVerifiedSignatures, SignatureVerifierPool, VerifiedSignatures } from "./mod.ts";

const alice = keypairFromUri("//Alice");

function check(i: number) {
  const message = new TextEncoder().encode(`message ${i}`);
  return { signature: alice.sign(message), message, publicKey: alice.publicKey };
}

Deno.test("the pool's verdicts match native verification, in order, across batches and workers", async () => {
  const pool = new SignatureVerifierPool(2);
  try {
    const checks = Array.from({ length: 40 }, (_, i) => check(i));
    // Every third is forged in a different way: other message, flipped signature bit, other key.
    checks.forEach((c, i) => {
      if (i % 3 !== 0) return;
      if (i % 9 === 0) c.message = new TextEncoder().encode("another message");
      else if (i % 9 === 3) c.signature = c.signature.map((b, j) => j === 10 ? b ^ 1 : b);
      else c.publicKey = dev.bob.publicKey;
    });
    const [first, second] = await Promise.all([
      pool.verify(checks.slice(0, 25)),
      pool.verify(checks.slice(25)),
    ]);
    const expected = checks.map((c) => verifyNative(c.signature, c.message, c.publicKey));
    assertEquals([...first, ...second], expected);
    assertEquals(expected.filter((v) => !v).length, 14);
  } finally {
    pool.close();
  }
});

Deno.test("a closed pool refuses work", async () => {
  const pool = new SignatureVerifierPool(1);
  pool.close();
  await rejects(pool.verify([check(1)]), /closed/);
});

Deno.test("a recorded verdict answers only for the exact bytes it was reached on", () => {
  const seen: string[] = [];
  const verified = new VerifiedSignatures((_s, m) => {
    seen.push(new TextDecoder().decode(m));
    return false;
  });
  const c = check(7);
  verified.record(c, true);
  // Same signature, other message: the fallback decides, not the recorded "valid".
  assertEquals(verified.verify(c.signature, new TextEncoder().encode("other"), c.publicKey), false);
  assertEquals(seen, ["other"]);
  verified.record(c, true);
  assertEquals(verified.verify(c.signature, c.message, c.publicKey), true);
  // Consumed once: asking again goes to the fallback.
  assertEquals(verified.verify(c.signature, c.message, c.publicKey), false);
  assertEquals(verified.size, 0);
});

/** A block of transfers built on one chain, and a fresh chain from the same genesis to import it on. */
function blockOfTransfers(count: number) {
  const author = new TestExt();
  const genesis = author.parent;
  for (let i = 0; i < count; i++) {
    const tx = author.signed(
      "Balances",
      "transferKeepAlive",
      {
        dest: { tag: "Id", value: dev.bob.publicKey },
        value: TOKEN,
      },
      dev.alice,
      { nonce: i },
    );
    ok(author.applyExtrinsic(tx).ok);
  }
  const extrinsics = [...author.extrinsics];
  author.nextBlock();
  return { genesis, block: { header: author.parent, extrinsics } };
}

Deno.test("a block imported with background verification reaches the header's state root", async () => {
  const { genesis, block } = blockOfTransfers(600);
  const pool = new SignatureVerifierPool(1);
  const verified = new VerifiedSignatures(verifyNative);
  try {
    const chain = new TestExt({}, { verify: verified.verify });
    const run = chain.executive.importBlock(genesis, block);
    await applyWithVerifiedSignatures(
      {
        count: block.extrinsics.length,
        signatureCheck: (i) => run.signatureCheck(i),
        apply: (i) => run.apply(i),
      },
      pool,
      verified,
    );
    const imported = run.finish();
    assertEquals(imported.header.stateRoot, block.header.stateRoot);
    assertEquals(verified.size, 0);
  } finally {
    pool.close();
  }
});

Deno.test("a forged signature fails the import with BadProof, and no verdict is left behind", async () => {
  const { genesis, block } = blockOfTransfers(300);
  // Flip one bit in the signature of extrinsic 200: after the compact length
  // (2 bytes here), the version, the MultiAddress tag and id, the MultiSignature tag.
  const forged = block.extrinsics[200].slice();
  forged[2 + 1 + 1 + 32 + 1 + 5] ^= 1;
  block.extrinsics[200] = forged;
  const pool = new SignatureVerifierPool(1);
  const verified = new VerifiedSignatures(verifyNative);
  try {
    const chain = new TestExt({}, { verify: verified.verify });
    const run = chain.executive.importBlock(genesis, block);
    const error = await applyWithVerifiedSignatures(
      {
        count: block.extrinsics.length,
        signatureCheck: (i) => run.signatureCheck(i),
        apply: (i) => run.apply(i),
      },
      pool,
      verified,
    ).then(() => undefined, (e) => e);
    ok(error instanceof BlockError, String(error));
    assertEquals(error.code, "BLOCK_ERROR_INVALID_EXTRINSIC");
    assertEquals(error.payload, { index: 200, reason: "BadProof" });
    assertEquals(verified.size, 0);
    throws(() => run.apply(201));
  } finally {
    pool.close();
  }
});
