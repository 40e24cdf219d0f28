/**
 * The error of a chain spec that is not well formed, naming the bad field.
 *
 * @module
 */

/** A chain spec that is not well formed; `field` is the path of the bad part. */
export class ChainSpecError extends TypeError {
  override name = "ChainSpecError";
  constructor(readonly field: string, reason: string) {
    super(`Invalid chain spec: ${field}: ${reason}`);
  }
}
