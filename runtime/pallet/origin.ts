/**
 * Dispatch origins: who is calling.
 *
 * @module
 */
import { DispatchError } from "./errors.ts";

/** A signed account, the root (governance, genesis, tests), or none (inherents). */
export type Origin =
  | { kind: "signed"; who: Uint8Array }
  | { kind: "root" }
  | { kind: "none" };

/** The signer of a signed origin; any other origin is `BadOrigin`. */
export function ensureSigned(origin: Origin): Uint8Array {
  if (origin.kind !== "signed") throw new DispatchError("BadOrigin");
  return origin.who;
}

/** Passes only the root origin. */
export function ensureRoot(origin: Origin): void {
  if (origin.kind !== "root") throw new DispatchError("BadOrigin");
}

/** Passes only the none origin (inherents). */
export function ensureNone(origin: Origin): void {
  if (origin.kind !== "none") throw new DispatchError("BadOrigin");
}

/** Shorthands for building origins. */
export const origins = {
  signed: (who: Uint8Array): Origin => ({ kind: "signed", who }),
  root: { kind: "root" } as Origin,
  none: { kind: "none" } as Origin,
};
