/**
 * Runtime upgrades: when a node runs a new release, the first block it
 * builds or imports migrates the state to the new release's layout.
 *
 * As FRAME's `Executive`: the state keeps `System.LastRuntimeUpgrade`, the
 * spec name and version of the runtime that last upgraded it (genesis
 * writes the first). A block executed by a runtime whose `specVersion` is
 * above it, or whose `specName` differs, is the upgrade block
 * ({@link runtimeUpgradeDue}): at its start, after the block's bookkeeping
 * is reset and before any `onInitialize`, {@link executeRuntimeUpgrade}
 * records the new runtime (`LastRuntimeUpgrade`, `:code`, a
 * `System.CodeUpdated` event) and runs every pallet's due migrations, in
 * pallet order and version order. Their weight counts in the block as an
 * `on_runtime_upgrade`'s does. The next block sees the new record and
 * migrates nothing: each migration runs once.
 *
 * Building and importing a block run the same code from the same parent
 * state, so they agree on the upgrade block as on any other. Nodes still on
 * the old release execute it without migrating and refuse it (a state root
 * mismatch), as the new release refuses theirs: the validators of a chain
 * upgrade together.
 *
 * @module
 */
import type { DispatchContext, Weight } from "../pallet/pallet.ts";
import { migratePallet, migrationsDue, type VersionedPallet } from "../pallet/migration.ts";
import { onChainStorageVersion, putStorageVersion } from "../pallet/storage_version.ts";
import type { Overlay, StateReader } from "../storage/overlay.ts";
import type { LastRuntimeUpgradeInfo } from "./apis.ts";
import { CODE_KEY, runtimeCode } from "./code.ts";
import type { Runtime, RuntimeVersion } from "./runtime.ts";

/**
 * Whether a runtime of `version` upgrades a chain whose last upgrade was
 * `last` (FRAME's `was_upgraded`): a higher spec version or another spec
 * name. A chain with no record (started before the record existed) is
 * upgraded by any runtime.
 */
export function isUpgradeOf(
  version: RuntimeVersion,
  last: LastRuntimeUpgradeInfo | undefined,
): boolean {
  return !last || version.specVersion > last.specVersion || version.specName !== last.specName;
}

/** Whether the block being executed on `state` is `runtime`'s upgrade block. */
export function runtimeUpgradeDue(runtime: Runtime, state: StateReader): boolean {
  return isUpgradeOf(runtime.version, runtime.system.lastRuntimeUpgrade(state));
}

/** Records `runtime` as the chain's runtime: `System.LastRuntimeUpgrade` and `:code`. */
function recordRuntime(runtime: Runtime, state: Overlay): void {
  const { specVersion, specName } = runtime.version;
  runtime.system.setLastRuntimeUpgrade(state, { specVersion, specName });
  state.set(CODE_KEY, runtimeCode(runtime.version));
}

/**
 * What genesis records besides the pallets' own configs: the runtime, and
 * every pallet's declared storage version (FRAME's `on_genesis`), so that
 * a new chain has nothing to migrate.
 */
export function recordGenesisRuntime(runtime: Runtime, state: Overlay): void {
  for (const { pallet } of runtime.pallets) {
    putStorageVersion(state, pallet.name, pallet.storageVersion ?? 0);
  }
  recordRuntime(runtime, state);
}

/**
 * Upgrades the state in `ctx` to `runtime`: records it, then runs every
 * pallet's due migrations in pallet order; returns their weight. With
 * `checks`, each migration runs between its try-runtime hooks.
 *
 * @throws {MigrationError} when a pallet cannot be migrated (the block fails)
 */
export function executeRuntimeUpgrade(
  runtime: Runtime,
  ctx: DispatchContext,
  options: { checks?: boolean } = {},
): Weight {
  recordRuntime(runtime, ctx.state);
  runtime.system.codeUpdated(ctx);
  let weight = 0;
  for (const { pallet } of runtime.pallets) weight += migratePallet(ctx, pallet, options);
  return weight;
}

/**
 * What is wrong between `runtime`'s pallets and the storage versions in
 * `state`, one line per pallet, none when it can run on it: a pallet the
 * state is ahead of (a runtime older than the chain), one behind with no
 * migration from there, or one behind while `runtime` is no upgrade of the
 * chain (its migrations would never run: bump `specVersion`).
 */
export function storageVersionProblems(runtime: Runtime, state: StateReader): string[] {
  const upgrade = runtimeUpgradeDue(runtime, state);
  const problems: string[] = [];
  for (const { pallet } of runtime.pallets) {
    const onChain = onChainStorageVersion(state, pallet.name);
    try {
      const due = migrationsDue(pallet, onChain);
      if (due.length && !upgrade) problems.push(neverMigrated(runtime, pallet, onChain));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return problems;
}

function neverMigrated(runtime: Runtime, pallet: VersionedPallet, onChain: number): string {
  return `${pallet.name} is at storage version ${onChain}, behind the runtime's ` +
    `${pallet.storageVersion}, but spec version ${runtime.version.specVersion} is no upgrade ` +
    "of the chain: its migrations would never run (bump specVersion)";
}
