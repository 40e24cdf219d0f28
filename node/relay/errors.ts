/**
 * A relay request refused, with the HTTP status that says why.
 *
 * @module
 */

/** A relay request refused, with the HTTP status that says why. */
export class RelayError extends Error {
  override name = "RelayError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
