/**
 * Substrate's SCALE shapes of runtime API outputs, written with
 * `@polkadot-api/substrate-bindings` (a client's own codecs, not ours), for
 * tests to decode the runtime's answers with: a test dependency only.
 *
 * @module
 */
import {
  _void,
  bool,
  Bytes,
  Result,
  Struct,
  u64,
  u8,
  Variant,
  Vector,
} from "@polkadot-api/substrate-bindings";

/** `sp_runtime::transaction_validity::TransactionValidityError`, every variant Substrate has. */
export const validityErrorCodec = Variant({
  Invalid: Variant({
    Call: _void,
    Payment: _void,
    Future: _void,
    Stale: _void,
    BadProof: _void,
    AncientBirthBlock: _void,
    ExhaustsResources: _void,
    Custom: u8,
    BadMandatory: _void,
    MandatoryValidation: _void,
    BadSigner: _void,
    IndeterminateImplicit: _void,
    UnknownOrigin: _void,
  }),
  Unknown: Variant({ CannotLookup: _void, NoUnsignedValidator: _void, Custom: u8 }),
});

/** `TransactionValidity`: `Result<ValidTransaction, TransactionValidityError>`. */
export const validityCodec = Result(
  Struct({
    priority: u64,
    requires: Vector(Bytes()),
    provides: Vector(Bytes()),
    longevity: u64,
    propagate: bool,
  }),
  validityErrorCodec,
);
