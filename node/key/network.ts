/**
 * SS58 network ids by name, as `subkey --network` takes and prints them.
 *
 * Only a few names from the SS58 registry are known here; any other network is
 * given and shown as its number.
 *
 * @module
 */

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, "polkadot"],
  [2, "kusama"],
  [42, "substrate"],
]);
const IDS: ReadonlyMap<string, number> = new Map([...NAMES].map(([id, name]) => [name, id]));

/** The registry name of a network id, or the id itself when it has no name here. */
export function networkName(prefix: number): string {
  return NAMES.get(prefix) ?? String(prefix);
}

/**
 * The network id that `--network` names: a registry name (`substrate`,
 * `polkadot`, `kusama`) or a number in 0..16383.
 *
 * @throws {TypeError} `Invalid network: …` otherwise
 */
export function parseNetwork(text: string): number {
  const named = IDS.get(text);
  if (named !== undefined) return named;
  if (/^[0-9]+$/.test(text) && Number(text) <= 16383) return Number(text);
  throw new TypeError(
    `Invalid network: "${text}" is neither ${[...IDS.keys()].join(", ")} nor a number in 0..16383`,
  );
}
