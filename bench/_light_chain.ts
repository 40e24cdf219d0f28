/**
 * A synthetic finalized chain for the light client benchmarks, built by a
 * generator that signs as every authority: each block is sealed by an Aura
 * author and justified by a precommit of every key of its set, and every
 * `era`-th block schedules the next set (`//Validator<i>` dev keys, each
 * set the last one with one validator rotated out and the next one in).
 * With `era` 1 every block closes a set: a chain of warp fragments.
 *
 * PERF: the generator signs with `node:crypto` (RFC 8032 is deterministic,
 * so the signatures are those `Keypair.sign` makes, six times faster), so
 * that 1,000 set changes of 100 validators build in about two seconds.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createPrivateKey, sign } from "node:crypto";
import { blockHash, type Header } from "../runtime/block/header.ts";
import {
  deriveHardSeed,
  DEV_PHRASE,
  junctionChainCode,
  type Keypair,
  keypairFromSeed,
  seedFromUri,
} from "../runtime/crypto/mod.ts";
import {
  type GrandpaJustification,
  localizedPayload,
  scheduledChangeLog,
} from "../runtime/consensus/grandpa.ts";
import { concatBytes } from "../runtime/primitives/bytes.ts";
import { blake2_256 } from "../runtime/primitives/hashing.ts";
import { fromHex } from "../runtime/primitives/hex.ts";
import { sealHeader, slotDigest } from "../node/consensus/mod.ts";
import type { Checkpoint, WarpFragment } from "../client/light/finality.ts";

/** DER of PKCS#8 PrivateKeyInfo { v0, id-Ed25519 (1.3.101.112), OCTET STRING(32 bytes) } up to the seed. */
const PKCS8_PREFIX = fromHex("302e020100300506032b657004220420");

/** The keypair of `//<name>` on the dev phrase, signing natively. */
function devKeypair(root: Uint8Array, name: string): Keypair {
  const pair = keypairFromSeed(deriveHardSeed(root, junctionChainCode(name)));
  const key = createPrivateKey({
    key: Buffer.from(concatBytes(PKCS8_PREFIX, pair.seed)),
    format: "der",
    type: "pkcs8",
  });
  return { ...pair, sign: (message) => new Uint8Array(sign(null, message, key)) };
}

/** Blocks from genesis on, made one at a time, each final. */
export class SyntheticChain {
  /** Where a light client starts: genesis and set 0. */
  readonly checkpoint: Checkpoint;
  readonly #pool: Keypair[];
  readonly #setSize: number;
  readonly #era: number;
  #head: Header;
  #setId = 0n;

  /** A chain of sets of `setSize` validators, the set changing every `era` blocks. */
  constructor(init: { setSize: number; era: number }) {
    const root = seedFromUri(DEV_PHRASE);
    // One key more than a set: consecutive sets differ by one validator.
    this.#pool = Array.from(
      { length: init.setSize + 1 },
      (_, i) => devKeypair(root, `Validator${i}`),
    );
    this.#setSize = init.setSize;
    this.#era = init.era;
    this.#head = {
      parentHash: new Uint8Array(32),
      number: 0,
      stateRoot: blake2_256(new Uint8Array(1)),
      extrinsicsRoot: new Uint8Array(32),
      digest: [],
    };
    this.checkpoint = {
      header: this.#head,
      set: { setId: 0n, authorities: this.#set(0n).map((k) => k.publicKey) },
    };
  }

  /** The next block, justified by the set that votes on it (a set change when its era ends). */
  next(): WarpFragment {
    const number = this.#head.number + 1;
    const set = this.#set(this.#setId);
    const closes = number % this.#era === 0;
    const parentHash = blockHash(this.#head);
    const unsealed: Header = {
      parentHash,
      number,
      // Any root unique to the block: the light client only carries it.
      stateRoot: blake2_256(parentHash),
      extrinsicsRoot: new Uint8Array(32),
      digest: [
        slotDigest(BigInt(number)),
        ...(closes
          ? [scheduledChangeLog(this.#set(this.#setId + 1n).map((k) => k.publicKey))]
          : []),
      ],
    };
    const header = sealHeader(unsealed, set[number % set.length]);
    const justification = justify(header, this.#setId, set);
    this.#head = header;
    if (closes) this.#setId++;
    return { header, justification };
  }

  /** Set `setId`'s keys: the pool rotated by one a set. */
  #set(setId: bigint): Keypair[] {
    const from = Number(setId % BigInt(this.#pool.length));
    return Array.from(
      { length: this.#setSize },
      (_, i) => this.#pool[(from + i) % this.#pool.length],
    );
  }
}

/** Set `setId`'s justification of `header`: each of `keys` precommits to it, in round `header.number`. */
function justify(header: Header, setId: bigint, keys: Keypair[]): GrandpaJustification {
  const precommit = { targetHash: blockHash(header), targetNumber: header.number };
  const round = BigInt(header.number);
  const payload = localizedPayload({ tag: "Precommit", value: precommit }, round, setId);
  return {
    round,
    commit: {
      ...precommit,
      precommits: keys.map((k) => ({ precommit, signature: k.sign(payload), id: k.publicKey })),
    },
    votesAncestries: [],
  };
}
