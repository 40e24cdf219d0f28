/**
 * Names as Substrate spells them in metadata. The TypeScript code keeps its
 * camelCase; metadata shows snake_case calls, call arguments and fields,
 * and PascalCase storage items, events, errors and constants.
 *
 * @module
 */

/** `transferKeepAlive` → `transfer_keep_alive`; a snake_case name stays as it is. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** `existentialDeposit` → `ExistentialDeposit`. */
export function pascalCase(name: string): string {
  return name.length ? name[0].toUpperCase() + name.slice(1) : name;
}

/** A pallet's Rust crate: `QosRewards` → `pallet_qos_rewards`. */
export function palletCrate(pallet: string): string {
  return `pallet_${snakeCase(pallet)}`;
}

/** Docs as metadata carries them: one string per line. */
export function docLines(docs: string | undefined): string[] {
  return docs ? docs.split("\n") : [];
}
