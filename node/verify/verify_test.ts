import { deepStrictEqual as assertEquals, ok, rejects, throws } from "node:assert/strict";
import {
  ecdsaFromUri,
  keypairFromUri,
  sr25519FromUri,
  verifyMulti,
} from "../../runtime/crypto/mod.ts";
import type { SignatureCheck } from "../../runtime/executive/executive.ts";
import { packChecks, unpackChecks } from "./_batch.ts";
import { BlockError } from "../../runtime/executive/executive.ts";
import { dev, TestExt } from "../../runtime/testing/mod.ts";
import { TOKEN } from "../../chain-spec/presets.ts";
import { applyWithVerifiedSignatures, SignatureVerifierPool, VerifiedSignatures } from "./mod.ts";

const alice = keypairFromUri("//Alice");

function check(i: number): SignatureCheck {
  const message = new TextEncoder().encode(`message ${i}`);
  return {
    signature: { type: "Ed25519", signature: alice.sign(message) },
    message,
    account: alice.publicKey,
  };
}

Deno.test("the pool's verdicts match native verification, in order, across batches and workers", async () => {
  const pool = new SignatureVerifierPool(2);
  try {
    const checks = Array.from({ length: 40 }, (_, i) => check(i));
    // Every third is forged in a different way: other message, flipped signature bit, other key.
    checks.forEach((c, i) => {
      if (i % 3 !== 0) return;
      if (i % 9 === 0) c.message = new TextEncoder().encode("another message");
      else if (i % 9 === 3) {
        c.signature.signature = c.signature.signature.map((b, j) => j === 10 ? b ^ 1 : b);
      } else c.account = dev.bob.publicKey;
    });
    const [first, second] = await Promise.all([
      pool.verify(checks.slice(0, 25)),
      pool.verify(checks.slice(25)),
    ]);
    const expected = checks.map((c) => verifyMulti(c.signature, c.message, c.account));
    assertEquals([...first, ...second], expected);
    assertEquals(expected.filter((v) => !v).length, 14);
  } finally {
    pool.close();
  }
});

const srAlice = sr25519FromUri("//Alice");
const ecdsaAlice = ecdsaFromUri("//Alice");

/** Check `i` signed by Alice's ed25519, sr25519 or ecdsa key in turn. */
function mixedCheck(i: number): SignatureCheck {
  const message = new TextEncoder().encode(`mixed ${i}`.repeat(i % 4 === 0 ? 30 : 1));
  switch (i % 3) {
    case 0:
      return check(i);
    case 1:
      return {
        signature: { type: "Sr25519", signature: srAlice.sign(message) },
        message,
        account: srAlice.publicKey,
      };
    default:
      return {
        signature: { type: "Ecdsa", signature: ecdsaAlice.sign(message) },
        message,
        account: ecdsaAlice.account,
      };
  }
}

Deno.test("a packed batch of every kind of signature unpacks to the same checks", () => {
  const checks = Array.from({ length: 9 }, (_, i) => mixedCheck(i));
  const unpacked = unpackChecks(packChecks(checks));
  assertEquals(
    unpacked.map((
      c,
    ) => [c.signature.type, [...c.signature.signature], [...c.account], [...c.message]]),
    checks.map((
      c,
    ) => [c.signature.type, [...c.signature.signature], [...c.account], [...c.message]]),
  );
  throws(
    () =>
      packChecks([{ ...checks[2], signature: { type: "Ecdsa", signature: new Uint8Array(64) } }]),
    RangeError,
  );
});

Deno.test("the pool verifies mixed batches of ed25519, sr25519 and ecdsa, forged ones of each kind refused", async () => {
  const pool = new SignatureVerifierPool(2);
  try {
    const checks = Array.from({ length: 30 }, (_, i) => mixedCheck(i));
    // Forge checks 0..5 (two of each kind): a flipped signature bit, or another message.
    for (let i = 0; i < 6; i++) {
      const c = checks[i];
      if (i < 3) c.signature.signature = c.signature.signature.map((b, j) => j === 3 ? b ^ 1 : b);
      else c.message = new TextEncoder().encode("another message");
    }
    const verdicts =
      (await Promise.all([pool.verify(checks.slice(0, 13)), pool.verify(checks.slice(13))]))
        .flat();
    assertEquals(verdicts, checks.map((_, i) => i >= 6));
    assertEquals(verdicts, checks.map((c) => verifyMulti(c.signature, c.message, c.account)));
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
  assertEquals(verified.verify(c.signature, new TextEncoder().encode("other"), c.account), false);
  assertEquals(seen, ["other"]);
  verified.record(c, true);
  // Same bytes claimed as another kind of signature: the fallback decides.
  assertEquals(verified.verify({ ...c.signature, type: "Sr25519" }, c.message, c.account), false);
  verified.record(c, true);
  assertEquals(verified.verify(c.signature, c.message, c.account), true);
  // Consumed once: asking again goes to the fallback.
  assertEquals(verified.verify(c.signature, c.message, c.account), false);
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
  const verified = new VerifiedSignatures(verifyMulti);
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
  const verified = new VerifiedSignatures(verifyMulti);
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
