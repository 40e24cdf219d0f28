/**
 * `TaggedTransactionQueue` (version 3) and `AccountNonceApi` (version 1):
 * what a transaction pool asks the runtime.
 *
 * @module
 */
import { t } from "../codec/types.ts";
import { TransactionValidityError } from "../executive/validity.ts";
import { method, type RuntimeApi } from "./api.ts";
import {
  extrinsicType,
  transactionSourceType,
  transactionValidityType,
  validityErrorValue,
} from "./types.ts";

/** `TaggedTransactionQueue`. */
export const taggedTransactionQueueApi: RuntimeApi = {
  api: "TaggedTransactionQueue",
  version: 3,
  docs: "The `TaggedTransactionQueue` api trait for interfering with the transaction queue.",
  methods: {
    validate_transaction: method({
      inputs: { source: transactionSourceType, tx: extrinsicType, block_hash: t.hash },
      output: transactionValidityType,
      docs: "Validate the transaction, as if it went into the block after the one called at. " +
        "`source` does not change the verdict; `block_hash` is the block called at.",
      run(host, state, { tx }) {
        try {
          return { tag: "Ok", value: host.executive.validateTransaction(state.at, tx) };
        } catch (e) {
          if (!(e instanceof TransactionValidityError)) throw e;
          return { tag: "Err", value: validityErrorValue(e) };
        }
      },
    }),
  },
};

/** `AccountNonceApi`. */
export const accountNonceApi: RuntimeApi = {
  api: "AccountNonceApi",
  version: 1,
  docs: "The API to query account nonce.",
  methods: {
    account_nonce: method({
      inputs: { account: t.accountId },
      output: t.u32,
      docs: "Get current account nonce of given `AccountId`.",
      run: (host, state, { account }) =>
        host.executive.runtime.system.accountNonce(state.reader, account),
    }),
  },
};
