/**
 * Transactions the node itself signs with its key (equivocation reports,
 * relay announcements, voucher claims, QoS reports) and puts in its own pool,
 * which gossips them.
 *
 * @module
 */
import { accountOf, type SigningKey } from "../../runtime/crypto/mod.ts";
import { signingEra } from "../../runtime/extrinsic/era.ts";
import { signExtrinsic } from "../../runtime/extrinsic/extrinsic.ts";
import type { CallRef } from "../../runtime/executive/runtime.ts";
import { runtime } from "../../runtime/mod.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { TransactionPool } from "./mod.ts";

/**
 * Signs calls with the node's account key (of any scheme: a relay's account
 * may be sr25519 or ecdsa), at the next free nonce, and submits them to the
 * pool.
 */
export class LocalSigner {
  readonly #client: ChainClient;
  readonly #pool: TransactionPool;
  readonly #key: SigningKey;

  constructor(init: { client: ChainClient; pool: TransactionPool; key: SigningKey }) {
    this.#client = init.client;
    this.#pool = init.pool;
    this.#key = init.key;
  }

  /** The signing account. */
  get account(): Uint8Array {
    return accountOf(this.#key);
  }

  /**
   * Signs and submits `call`; returns the transaction's hash.
   *
   * @throws {import("./mod.ts").PoolError} when the pool refuses it
   */
  submit(call: CallRef): Uint8Array {
    const client = this.#client;
    const account = this.account;
    const best = client.best.header;
    const nonce = this.#pool.nextNonce(
      account,
      runtime.system.accountNonce(client.stateAt(best), account),
    );
    const { era, eraBlockHash } = signingEra(
      { number: best.number, hash: client.best.hash },
      { number: client.finalized.header.number, hash: client.finalized.hash },
    );
    const tx = signExtrinsic(
      runtime.encodeCall(call),
      this.#key,
      { era, nonce, tip: 0n },
      {
        specVersion: runtime.version.specVersion,
        transactionVersion: runtime.version.transactionVersion,
        genesisHash: client.genesisHash,
        eraBlockHash,
      },
    );
    return this.#pool.submit(tx, best).hash;
  }
}
