/**
 * Reporting equivocations on chain: two blocks sealed by one authority for
 * one slot (noticed as blocks are imported) and two conflicting finality
 * votes of one voter in one round (noticed by the finality service, which
 * hands over GRANDPA's equivocation proof) become a
 * `Staking.reportEquivocation` transaction, signed by this node's key and
 * submitted to its pool, which gossips it. Each offence is reported once.
 *
 * @module
 */
import { encodeHeader, type Header } from "../../runtime/block/header.ts";
import type { GrandpaEquivocationProof } from "../../runtime/consensus/grandpa.ts";
import type { Keypair } from "../../runtime/crypto/mod.ts";
import { toHexRaw } from "../../runtime/primitives/hex.ts";
import { authorities, slotOf } from "../../pallets/authorship/mod.ts";
import type { EquivocationProof } from "../../pallets/staking/equivocation.ts";
import { BoundedMap } from "../bounded_map.ts";
import type { ChainClient } from "../chain/mod.ts";
import type { Logger } from "../log.ts";
import type { TransactionPool } from "../pool/mod.ts";
import { LocalSigner } from "../pool/local_signer.ts";

/** Slots remembered for spotting a second block in the same slot. */
const SLOTS_KEPT = 1024;

/** Turns evidence into on-chain reports. */
export class EquivocationReporter {
  readonly #client: ChainClient;
  readonly #signer: LocalSigner;
  readonly #log: Logger;
  /** The first header seen per slot. */
  readonly #bySlot = new BoundedMap<bigint, Header>(SLOTS_KEPT);
  readonly #reported = new Set<string>();

  constructor(init: { client: ChainClient; pool: TransactionPool; key: Keypair; log: Logger }) {
    this.#client = init.client;
    this.#signer = new LocalSigner(init);
    this.#log = init.log;
    init.client.onImported(({ block }) => this.#onBlock(block.header));
  }

  /**
   * Reports two conflicting votes of one voter in one round, once per
   * offender, set, round and stage (the offence the runtime counts).
   */
  reportVotes(proof: GrandpaEquivocationProof): void {
    const { setId, equivocation: { tag: stage, value } } = proof;
    const id = `votes:${toHexRaw(value.identity)}:${setId}:${value.roundNumber}:${stage}`;
    this.#report(id, { tag: "Votes", value: proof });
  }

  #onBlock(header: Header): void {
    const slot = slotOf(header.digest);
    if (slot === undefined) return;
    const first = this.#bySlot.get(slot);
    if (!first) {
      this.#bySlot.set(slot, header);
      return;
    }
    // Two sealed blocks for one slot: the seal check at import made both the
    // slot's author's, the authority at `slot % n` of the parent's set.
    const parent = this.#client.block(header.parentHash);
    const keys = parent ? authorities(this.#client.stateAt(parent.header)) : [];
    if (keys.length === 0) return;
    const offender = keys[Number(slot % BigInt(keys.length))];
    this.#report(`blocks:${slot}`, {
      tag: "Blocks",
      value: { offender, first: encodeHeader(first), second: encodeHeader(header) },
    });
  }

  #report(id: string, proof: EquivocationProof): void {
    if (this.#reported.has(id)) return;
    this.#reported.add(id);
    try {
      this.#signer.submit({ pallet: "Staking", call: "reportEquivocation", args: { proof } });
      this.#log.warn(`⚠️  Reported an equivocation (${proof.tag}) on chain`);
    } catch (e) {
      this.#log.warn(`⚠️  Could not report an equivocation: ${(e as Error).message}`);
    }
  }
}
