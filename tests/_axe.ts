/**
 * Accessibility checks with axe-core in the browser tests: the engine (the
 * `axe-core` of deno.json's import map, from node_modules) injected into
 * the page, run on what the page shows.
 *
 * @module
 */
import type { Page } from "playwright-core";

/** axe-core's browser build, as `deno install` lays it out. */
const AXE_PATH = new URL("../node_modules/axe-core/axe.min.js", import.meta.url).pathname;

/** The impacts that fail a test (the issue's bar: no serious or critical violation). */
const FAILING = new Set(["serious", "critical"]);

/** A violation as a line: its rule, impact, and the first elements it names. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * The serious and critical axe-core violations of what `page` shows now
 * (hidden views are not checked: axe skips what is not rendered).
 *
 * @throws {Error} when axe-core is not installed (`deno install`)
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!await page.evaluate("typeof globalThis.axe === 'object'")) {
    await page.addScriptTag({ content: await Deno.readTextFile(AXE_PATH) });
  }
  const violations = await page.evaluate(`(async () => {
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => String(n.target)),
    }));
  })()`) as AxeViolation[];
  return violations.filter((v) => FAILING.has(v.impact));
}

/** Fails naming the serious and critical axe-core violations of what `page` shows (on `view`). */
export async function assertAccessible(page: Page, view: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length) {
    throw new Error(
      `axe-core on ${view}: ${
        violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(", ")}`)
          .join("; ")
      }`,
    );
  }
}
