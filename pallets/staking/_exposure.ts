/**
 * Paged exposures, as Substrate's `ErasStakersOverview` and
 * `ErasStakersPaged`: an elected validator's backing in an era is stored as
 * an overview (total, own, nominator count, page count) and its nominators
 * in pages of at most {@link MAX_EXPOSURE_PAGE_SIZE}, so that paying one
 * page reads and mints a bounded amount, however many nominate.
 *
 * @module
 */
import type { Overlay, StateReader } from "../../runtime/storage/overlay.ts";
import {
  type Exposure,
  type ExposurePage,
  MAX_EXPOSURE_PAGE_SIZE,
  type PagedExposureMetadata,
  storage,
} from "./_storage.ts";

const EMPTY_PAGE: ExposurePage = { pageTotal: 0n, others: [] };

/**
 * Stores `exposure` as `stash`'s overview and pages for `era`, the
 * nominators in the order given (the election sorts them by stash), cut
 * every {@link MAX_EXPOSURE_PAGE_SIZE}. A validator without nominators has
 * one page, stored as nothing.
 */
export function setExposure(
  state: Overlay,
  era: number,
  stash: Uint8Array,
  exposure: Exposure,
): void {
  const { others } = exposure;
  const pageCount = Math.max(1, Math.ceil(others.length / MAX_EXPOSURE_PAGE_SIZE));
  storage.ErasStakersOverview.set(state, era, stash, {
    total: exposure.total,
    own: exposure.own,
    nominatorCount: others.length,
    pageCount,
  });
  for (let page = 0; page * MAX_EXPOSURE_PAGE_SIZE < others.length; page++) {
    const chunk = others.slice(page * MAX_EXPOSURE_PAGE_SIZE, (page + 1) * MAX_EXPOSURE_PAGE_SIZE);
    const pageTotal = chunk.reduce((sum, o) => sum + o.value, 0n);
    storage.ErasStakersPaged.set(state, era, [stash, page], { pageTotal, others: chunk });
  }
}

/** `stash`'s exposure overview in `era`, if it was elected then. */
export function exposureOverview(
  state: StateReader,
  era: number,
  stash: Uint8Array,
): PagedExposureMetadata | undefined {
  return storage.ErasStakersOverview.get(state, era, stash);
}

/** Page `page` of `stash`'s nominators in `era` (empty when there is no such page). */
export function exposurePage(
  state: StateReader,
  era: number,
  stash: Uint8Array,
  page: number,
): ExposurePage {
  return storage.ErasStakersPaged.get(state, era, [stash, page]) ?? EMPTY_PAGE;
}

/**
 * `stash`'s whole exposure in `era`, every page read and joined. PERF: work
 * grows with the validator's nominators; for tests, RPC and one-off reads,
 * never for a hook.
 */
export function eraExposure(
  state: StateReader,
  era: number,
  stash: Uint8Array,
): Exposure | undefined {
  const overview = exposureOverview(state, era, stash);
  if (!overview) return undefined;
  const others = [];
  for (let page = 0; page < overview.pageCount; page++) {
    others.push(...exposurePage(state, era, stash, page).others);
  }
  return { total: overview.total, own: overview.own, others };
}

/** Copies `stash`'s overview and pages of era `from` to era `to`. */
export function copyExposure(state: Overlay, from: number, to: number, stash: Uint8Array): void {
  const overview = exposureOverview(state, from, stash);
  if (!overview) return;
  storage.ErasStakersOverview.set(state, to, stash, overview);
  for (let page = 0; page < overview.pageCount; page++) {
    const stored = storage.ErasStakersPaged.get(state, from, [stash, page]);
    if (stored) storage.ErasStakersPaged.set(state, to, [stash, page], stored);
  }
}

/** Forgets every exposure of `era`. */
export function clearExposures(state: Overlay, era: number): void {
  storage.ErasStakersOverview.clearPrefix(state, era);
  storage.ErasStakersPaged.clearPrefix(state, era);
}
