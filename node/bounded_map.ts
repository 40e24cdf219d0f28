/**
 * A `Map` that forgets its oldest entry once it holds more than `limit`: for
 * what the node remembers per peer, block or slot, so that a stream of new
 * keys from the network cannot grow its memory.
 *
 * @example
 * ```ts
 * import { BoundedMap } from "./bounded_map.ts";
 * const seen = new BoundedMap<string, number>(2);
 * seen.set("a", 1).set("b", 2).set("a", 3).set("c", 4);
 * if ([...seen.keys()].join() !== "a,c") throw new Error("the oldest, b, goes first");
 * ```
 *
 * @module
 */

/** A map of at most `limit` entries; setting a key makes it the newest. */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.#limit) this.delete(this.keys().next().value!);
    return this;
  }
}
