/**
 * # Transaction payment
 *
 * The fee of a signed extrinsic, charged before dispatch and kept whether or
 * not the dispatch succeeds:
 *
 * ```
 * fee = baseFee + lengthFee × bytes + weightFee × weight / 1_000_000 + tip
 * ```
 *
 * The fee (tip included) is withdrawn from the sender's free balance,
 * keeping the account alive, and after dispatch it is paid out:
 * `authorSharePercent` to the block's author (its session key's account) and
 * the rest to the QoS reward pot, which pays relays at the era's end.
 *
 * @module
 */
import { t } from "../../runtime/codec/types.ts";
import type { PaymentApi } from "../../runtime/executive/apis.ts";
import { defineEvents } from "../../runtime/pallet/events.ts";
import { definePallet, genesisConfig } from "../../runtime/pallet/pallet.ts";
import { declareStorage, value } from "../../runtime/storage/items.ts";
import { blockAuthor } from "../authorship/mod.ts";
import { mint, withdraw } from "../balances/mod.ts";
import { POT_ACCOUNT } from "../qos-rewards/relays.ts";

const feeParamsType = t.struct("FeeParams", {
  baseFee: t.balance,
  lengthFee: t.balance,
  weightFee: t.balance,
  authorSharePercent: t.u8,
});

const storage = declareStorage("TransactionPayment", {
  FeeParams: value({
    type: feeParamsType,
    default: { baseFee: 0n, lengthFee: 0n, weightFee: 0n, authorSharePercent: 0 },
    docs: "Fee parameters (chain spec): base, per byte, per million weight units, author share.",
  }),
});

const events = defineEvents("TransactionPayment", {
  TransactionFeePaid: {
    fields: { who: t.accountId, actualFee: t.balance, tip: t.balance },
    docs:
      "A transaction fee `actualFee`, of which `tip` was added to the minimum, has been paid by `who`.",
  },
});

/** The transaction-payment pallet's part of the executive. */
export const paymentApi: PaymentApi = {
  computeFee(state, length, weight, _cls, tip) {
    const p = storage.FeeParams.get(state);
    return p.baseFee + p.lengthFee * BigInt(length) + p.weightFee * BigInt(weight) / 1_000_000n +
      tip;
  },
  withdrawFee(ctx, who, fee) {
    if (fee > 0n) withdraw(ctx, who, fee, true);
  },
  settleFee(ctx, who, fee, tip) {
    const { authorSharePercent } = storage.FeeParams.get(ctx.state);
    const author = blockAuthor(ctx.state);
    const authorPart = author ? fee * BigInt(authorSharePercent) / 100n : 0n;
    const paid = author ? mint(ctx, author, authorPart) : 0n;
    mint(ctx, POT_ACCOUNT, fee - paid);
    ctx.deposit(events.TransactionFeePaid({ who, actualFee: fee, tip }));
  },
};

/** The transaction-payment pallet. */
export const transactionPayment = definePallet({
  name: "TransactionPayment",
  docs: "Fees of signed extrinsics and their split between the block author and the reward pot.",
  storage,
  events,
  genesis: genesisConfig({
    type: feeParamsType,
    default: { baseFee: 0n, lengthFee: 0n, weightFee: 0n, authorSharePercent: 0 },
    build(ctx, config) {
      if (config.authorSharePercent > 100) {
        throw new TypeError("genesis.runtime.transactionPayment.authorSharePercent: at most 100");
      }
      storage.FeeParams.set(ctx.state, config);
    },
  }),
});

export { events as transactionPaymentEvents, storage as transactionPaymentStorage };
