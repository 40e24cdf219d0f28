/**
 * Every error and event a pallet declares is one some code path can emit:
 * metadata shows clients only what can happen. This reads each pallet's
 * `defineErrors` / `defineEvents` and fails on a name that no source file
 * of the pallets raises or deposits (`errors.X(`, `events.X(`, or an
 * exported alias such as `streamsErrors.X(`).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/**
 * Declared and never emitted, on purpose: they hold Substrate's indices so
 * that Substrate clients read the errors and events after them right
 * (`frame_system`'s errors; `pallet_balances`' errors, whose used ones sit
 * among them).
 */
const KEPT_AT_SUBSTRATE_INDICES = new Set([
  "System.Errors.InvalidSpecName",
  "System.Errors.SpecVersionNeedsToIncrease",
  "System.Errors.FailedToExtractRuntimeVersion",
  "System.Errors.NonDefaultComposite",
  "System.Errors.NonZeroRefCount",
  "System.Errors.CallFiltered",
  "Balances.Errors.VestingBalance",
  "Balances.Errors.ExistingVestingSchedule",
  "Balances.Errors.DeadAccount",
  "Balances.Errors.TooManyReserves",
  "Balances.Errors.TooManyHolds",
  "Balances.Errors.TooManyFreezes",
  "Balances.Errors.IssuanceDeactivated",
  "Balances.Errors.DeltaZero",
]);

/** Test-only files: a name raised only there is not emitted by the chain. */
function isTestSupport(name: string): boolean {
  return name.endsWith("_test.ts") || /^_(mock|fixture)\b/.test(name) ||
    name === "benchmarking.ts";
}

function sources(dir: string): { path: string; code: string }[] {
  const out: { path: string; code: string }[] = [];
  for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !isTestSupport(entry.name)) {
      const code = Deno.readTextFileSync(new URL(path, ROOT))
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""); // a name in a comment emits nothing
      out.push({ path, code });
    }
  }
  return out;
}

/** The top-level keys of the object literal that starts at `open` (a `{`). */
function topLevelKeys(code: string, open: number): string[] {
  let depth = 0;
  let end = open;
  for (; end < code.length; end++) {
    if (code[end] === "{") depth++;
    else if (code[end] === "}" && --depth === 0) break;
  }
  const body = code.slice(open + 1, end);
  return [...body.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]);
}

Deno.test("every declared pallet error and event is emitted by some code path", () => {
  const files = sources("pallets");
  const declared: { pallet: string; kind: string; name: string; path: string }[] = [];
  for (const { path, code } of files) {
    for (const m of code.matchAll(/define(Errors|Events)\("(\w+)",\s*\{/g)) {
      for (const name of topLevelKeys(code, m.index! + m[0].length - 1)) {
        declared.push({ pallet: m[2], kind: m[1], name, path });
      }
    }
  }
  assert.ok(declared.length > 50, "the walk found the declarations");
  const unemitted = declared.filter(({ pallet, kind, name, path }) => {
    const folder = path.slice(0, path.lastIndexOf("/"));
    const emit = new RegExp(`\\b(?:errors|events|\\w+Errors|\\w+Events)\\.${name}\\(`);
    const alias = new RegExp(`\\b\\w+(?:Errors|Events)\\.${name}\\(`);
    const emitted = files.some((f) =>
      f.path.startsWith(`${folder}/`) ? emit.test(f.code) : alias.test(f.code)
    );
    return !emitted && !KEPT_AT_SUBSTRATE_INDICES.has(`${pallet}.${kind}.${name}`);
  }).map(({ pallet, kind, name }) => `${pallet}.${kind}.${name}`);
  assert.deepEqual(unemitted, [], "declared but never emitted");
});
