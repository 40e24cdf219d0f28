/**
 * The runtime's base weights, measured: `ExtrinsicBaseWeight`, what every
 * signed extrinsic costs before its call (decoding, the signature check on
 * the applying thread, nonce, fee, events), as the time of applying a
 * signed `System.remark` of no bytes less the remark's own call weight; and
 * `BlockExecutionWeight`, what an empty block costs (initialize, every
 * pallet's hooks, finalize, the state root). Each is the slowest of three
 * rounds, so a busy machine errs on the expensive side.
 *
 * @module
 */
import {
  ecdsaFromUri,
  keypairFromSeed,
  sr25519FromUri,
  ss58Encode,
  verifyEcdsa,
  verifyNative,
  verifySr25519,
} from "../../runtime/crypto/mod.ts";
import type { SignatureType } from "../../runtime/crypto/mod.ts";
import type { Signer } from "../../runtime/extrinsic/extrinsic.ts";
import { toHex } from "../../runtime/primitives/hex.ts";
import { blake2_256 } from "../../runtime/primitives/hashing.ts";
import { TestExt } from "../../runtime/testing/mod.ts";
import { runtimeGenesis, TOKEN } from "../../chain-spec/presets.ts";
import { WEIGHTS as SYSTEM_WEIGHTS } from "../../pallets/system/weights.ts";
import type { Weight } from "../../runtime/pallet/pallet.ts";

const ACCOUNTS = 200;
const EXTRINSICS = 2_000;
const EMPTY_BLOCKS = 200;
const ROUNDS = 3;
const PICOS_PER_MS = 1_000_000_000;

/** Measured base weights, in picoseconds. */
export interface BaseWeights {
  extrinsicBaseWeight: Weight;
  blockExecutionWeight: Weight;
}

/**
 * `count` funded accounts (1,000 tokens each) of keys of `kind` (ed25519
 * unless said) and a genesis that funds them; benches share it.
 */
export function fundedAccounts(count: number, kind: SignatureType = "Ed25519") {
  const keys: Signer[] = Array.from({ length: count }, (_, i) => {
    const seed = blake2_256(new Uint8Array([i >> 8, i & 255, 7]));
    if (kind === "Sr25519") return sr25519FromUri(toHex(seed));
    if (kind === "Ecdsa") return ecdsaFromUri(toHex(seed));
    return keypairFromSeed(seed);
  });
  const base = runtimeGenesis(["Alice"]);
  const balances = base.balances as { existentialDeposit: string; balances: [string, string][] };
  const genesis = {
    balances: {
      existentialDeposit: balances.existentialDeposit,
      balances: [
        ...balances.balances,
        ...keys.map((k) => [ss58Encode(k.account ?? k.publicKey), (1000n * TOKEN).toString()]),
      ],
    },
  };
  return { keys, genesis };
}

/** Measures both base weights on this machine. */
export function measureBaseWeights(): BaseWeights {
  const { keys, genesis } = fundedAccounts(ACCOUNTS);
  const signer = new TestExt(genesis);
  const nonces = new Array(ACCOUNTS).fill(0);
  const remarks = Array.from(
    { length: EXTRINSICS },
    (_, i) =>
      signer.signed("System", "remark", { remark: new Uint8Array() }, keys[i % ACCOUNTS], {
        nonce: nonces[i % ACCOUNTS]++,
      }),
  );
  let perExtrinsicMs = 0;
  let perBlockMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const chain = new TestExt(genesis);
    const start = performance.now();
    for (const tx of remarks) {
      if (!chain.applyExtrinsic(tx).ok) throw new Error("a benchmark remark failed");
    }
    perExtrinsicMs = Math.max(perExtrinsicMs, (performance.now() - start) / EXTRINSICS);
    chain.nextBlock();
    const empty = performance.now();
    chain.nextBlock(EMPTY_BLOCKS);
    perBlockMs = Math.max(perBlockMs, (performance.now() - empty) / EMPTY_BLOCKS);
  }
  const remarkCall = SYSTEM_WEIGHTS.remark(0);
  return {
    extrinsicBaseWeight: Math.max(0, Math.round(perExtrinsicMs * PICOS_PER_MS) - remarkCall),
    blockExecutionWeight: Math.round(perBlockMs * PICOS_PER_MS),
  };
}

/** What verifying each kind of signature costs over ed25519, in picoseconds, with the rates seen. */
export interface SignatureExtras {
  sr25519VerifyExtraWeight: Weight;
  ecdsaVerifyExtraWeight: Weight;
  /** Verifications per second, single-threaded: ed25519 native, sr25519, ecdsa. */
  perSecond: { ed25519: number; sr25519: number; ecdsa: number };
}

const VERIFIES = 2_000;

/**
 * Times verifying signatures of a transfer-sized message (the signing payload
 * of a transfer is about 150 bytes) with each kind's verifier, slowest of
 * three rounds each, and returns what sr25519 and ecdsa cost over ed25519.
 */
export function measureSignatureExtras(): SignatureExtras {
  const message = blake2_256(new Uint8Array([1])).slice();
  const payload = new Uint8Array(150).map((_, i) => message[i % 32] ^ i);
  const ed = keypairFromSeed(message);
  const sr = sr25519FromUri("//Alice");
  const ecdsa = ecdsaFromUri("//Alice");
  const edSig = ed.sign(payload);
  const srSig = sr.sign(payload);
  const ecdsaSig = ecdsa.sign(payload);
  const time = (verify: () => boolean) => {
    for (let i = 0; i < 200; i++) verify(); // JIT and caches warm
    let slowest = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      for (let i = 0; i < VERIFIES; i++) {
        if (!verify()) throw new Error("a benchmark signature did not verify");
      }
      slowest = Math.max(slowest, (performance.now() - start) / VERIFIES);
    }
    return slowest; // ms per verification
  };
  const edMs = time(() => verifyNative(edSig, payload, ed.publicKey));
  const srMs = time(() => verifySr25519(srSig, payload, sr.publicKey));
  const ecdsaMs = time(() => verifyEcdsa(ecdsaSig, payload, ecdsa.account));
  const extra = (ms: number) => Math.max(0, Math.round((ms - edMs) * PICOS_PER_MS));
  return {
    sr25519VerifyExtraWeight: extra(srMs),
    ecdsaVerifyExtraWeight: extra(ecdsaMs),
    perSecond: {
      ed25519: Math.round(1000 / edMs),
      sr25519: Math.round(1000 / srMs),
      ecdsa: Math.round(1000 / ecdsaMs),
    },
  };
}

if (import.meta.main) {
  console.table(measureBaseWeights());
  console.table(measureSignatureExtras());
}
