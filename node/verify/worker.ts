/**
 * A signature-verifying worker: receives batches packed by `pool.ts`,
 * answers one byte per signature (1 valid, 0 not): ed25519 natively under
 * THE signature rule, sr25519 and ecdsa by theirs (`verifyMulti`).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { unpackChecks, type VerifyRequest, type VerifyResponse } from "./_batch.ts";

// Loaded dynamically: the runtime's modules finish loading asynchronously
// (WebAssembly), and a message that arrives before `onmessage` is set is lost.
const verifier = import("../../runtime/crypto/verify_native.ts");

self.onmessage = async (event: MessageEvent<VerifyRequest>) => {
  const { verifyMulti } = await verifier;
  const { id, packed } = event.data;
  const checks = unpackChecks(packed);
  const verdicts = new Uint8Array(checks.length);
  for (let i = 0; i < checks.length; i++) {
    const { signature, message, account } = checks[i];
    verdicts[i] = verifyMulti(signature, message, account) ? 1 : 0;
  }
  const response: VerifyResponse = { id, verdicts };
  self.postMessage(response, [verdicts.buffer]);
};
