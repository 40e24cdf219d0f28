/**
 * Reading parsed JSON: the one shape test the spec's validators share.
 *
 * @module
 */

/** Whether `x` is a JSON object (not `null`, not an array). */
export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
