/**
 * The receipt book takes a viewer's receipts signed with its account's key
 * of any kind, and nothing signed by another key or kind; receipts held
 * before MultiSignature survive the upgrade.
 */
import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { encode, t } from "../../../runtime/codec/types.ts";
import {
  keypairFromUri,
  signerFromUri,
  type SigningKey,
  signMulti,
} from "../../../runtime/crypto/mod.ts";
import { toHex } from "../../../runtime/primitives/hex.ts";
import { TestExt } from "../../../runtime/testing/mod.ts";
import { receiptPayload } from "../../../pallets/qos-rewards/mod.ts";
import {
  MessageError,
  parseViewerMessage,
  type ReceiptMessage,
  signatureFromWire,
  signatureToWire,
} from "../../../client/relay/pay_messages.ts";
import { openRelayDb } from "../pay/records.ts";
import { ReceiptBook } from "./receipt_book.ts";

const relay = keypairFromUri("//Bob").publicKey;
const viewer = signerFromUri("//Charlie", "sr25519");
const STREAM = 3n;

/** `key`'s receipt of `seconds` for the chain of `ext`, as a viewer sends it. */
function receipt(ext: TestExt, key: SigningKey, seconds: number): ReceiptMessage {
  const fields = { era: 0, seconds, bytes: BigInt(seconds) * 1000n };
  const payload = receiptPayload({
    genesisHash: ext.genesisHash,
    relay,
    stream: STREAM,
    ...fields,
  });
  return {
    type: "receipt",
    ...fields,
    bytes: fields.bytes.toString(),
    signature: signatureToWire(signMulti(key, payload)),
  };
}

async function withBook(run: (book: ReceiptBook, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-receipts-" });
  try {
    const db = await openRelayDb(dir);
    try {
      await run(await ReceiptBook.open(db), dir);
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("attack: receipts by the viewer's URI in another scheme, relabelled or forged are refused", async () => {
  const ext = new TestExt();
  const expect = { state: ext.state, genesisHash: ext.genesisHash, relay, stream: STREAM };
  await withBook((book) => {
    const check = (message: ReceiptMessage) =>
      book.check(message, { ...expect, viewer: viewer.account });
    for (const other of [keypairFromUri("//Charlie"), signerFromUri("//Charlie", "ecdsa")]) {
      const verdict = check(receipt(ext, other, 10));
      ok(!verdict.ok && verdict.reason.startsWith("bad signature"));
    }
    const genuine = receipt(ext, viewer, 10);
    const signature = signatureFromWire(genuine.signature);
    const relabelled = signatureToWire({ ...signature, type: "Ed25519" });
    ok(!check({ ...genuine, signature: relabelled }).ok);
    const forged = signature.signature.slice();
    forged[3] ^= 1;
    ok(!check({ ...genuine, signature: signatureToWire({ ...signature, signature: forged }) }).ok);
    const accepted = check(genuine);
    ok(accepted.ok);
    assertEquals(accepted.receipt.signature.type, "Sr25519");
    // An ecdsa viewer's receipt is its key's, recovered and hashed to its account.
    const ecdsa = signerFromUri("//Charlie", "ecdsa");
    ok(book.check(receipt(ext, ecdsa, 10), { ...expect, viewer: ecdsa.account }).ok);
    return Promise.resolve();
  });
});

Deno.test("a receipt of an older viewer, with a bare ed25519 signature, is refused saying so", () => {
  const text = JSON.stringify({
    type: "receipt",
    era: 0,
    seconds: 1,
    bytes: "1",
    signature: toHex(new Uint8Array(64)),
  });
  throws(
    () => parseViewerMessage(text),
    (e: Error) => e instanceof MessageError && /bare ed25519 signature/.test(e.message),
  );
});

Deno.test("receipts held before MultiSignature are upgraded to Ed25519 ones when the book opens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sutantra-receipts-" });
  try {
    const legacy = t.struct("HeldReceipt", {
      era: t.u32,
      stream: t.u64,
      viewer: t.accountId,
      seconds: t.u32,
      bytes: t.u64,
      signature: t.signature,
    });
    const who = keypairFromUri("//Charlie").publicKey;
    const signature = new Uint8Array(64).fill(9);
    const key = new Uint8Array([0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, ...who]);
    let db = await openRelayDb(dir);
    const old = db.sublevel<Uint8Array, Uint8Array>("receipts", {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await old.put(
      key,
      encode(legacy, { era: 2, stream: STREAM, viewer: who, seconds: 40, bytes: 5n, signature }),
    );
    await db.close();
    for (let run = 0; run < 2; run++) {
      db = await openRelayDb(dir);
      try {
        const held = (await ReceiptBook.open(db)).held(2, STREAM, who);
        assertEquals(held?.seconds, 40);
        assertEquals([held?.signature.type, toHex(held!.signature.signature)], [
          "Ed25519",
          toHex(signature),
        ]);
        assertEquals(await db.sublevel("receipts").keys().all(), []);
      } finally {
        await db.close();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
