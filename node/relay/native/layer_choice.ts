/**
 * Which simulcast layer one viewer gets. Pinned: the layer it asked for by
 * RID, or by rank (`low`, `mid`, `high` among the layers flowing, ordered
 * by resolution). Automatic: the highest layer flowing to begin with, one
 * step down whenever the viewer's receiver reports say it lost more than
 * {@link LOSS_BOUND} of its packets over {@link LOSS_WINDOW_MS}, and one
 * step back up after {@link QUIET_MS} without loss past {@link QUIET_BOUND}.
 * A worker that sheds load caps every viewer, pinned or not, some steps
 * below the top. Pure: the time comes in with each report.
 *
 * @module
 */

/** Loss measured over windows of at least this long, milliseconds. */
export const LOSS_WINDOW_MS = 2_000;

/** A window losing more than this fraction of its packets steps an automatic viewer down. */
export const LOSS_BOUND = 0.05;

/** Windows losing no more than this fraction are quiet. */
export const QUIET_BOUND = 0.01;

/** Quiet this long, milliseconds, an automatic viewer below the top steps back up. */
export const QUIET_MS = 10_000;

/** What a viewer may ask for besides a RID: a rank among the layers flowing, or automatic. */
export const LAYER_RANKS = ["low", "mid", "high"] as const;

/** Chooses one viewer's layer. */
export class LayerChoice {
  #pin?: string;
  /** Steps below the top, for automatic choice. */
  #down = 0;
  #layers = 1;
  #window?: { at: number; lost: number; highestSeq: number };
  #quietSince = 0;

  /** The pinned layer (a RID or a rank), or undefined for automatic choice. */
  get pinned(): string | undefined {
    return this.#pin;
  }

  /** Pins `layer` (a RID or a rank); `auto` or undefined chooses automatically. */
  pin(layer: string | undefined): void {
    this.#pin = layer === "auto" ? undefined : layer;
  }

  /**
   * Takes a receiver report about the video the viewer gets, at `now`
   * (ms): its cumulative `lost` and extended highest sequence number.
   */
  report(lost: number, highestSeq: number, now: number): void {
    const window = this.#window;
    if (!window) {
      this.#window = { at: now, lost, highestSeq };
      this.#quietSince = now;
      return;
    }
    if (now - window.at < LOSS_WINDOW_MS) return;
    const expected = highestSeq - window.highestSeq;
    const fraction = expected > 0 ? Math.max(0, lost - window.lost) / expected : 0;
    this.#window = { at: now, lost, highestSeq };
    if (fraction > LOSS_BOUND) {
      this.#down = Math.min(this.#down + 1, this.#layers - 1);
      this.#quietSince = now;
    } else if (fraction > QUIET_BOUND) this.#quietSince = now;
    else if (this.#down > 0 && now - this.#quietSince >= QUIET_MS) {
      this.#down--;
      this.#quietSince = now;
    }
  }

  /**
   * The layer to send, of `flowing` (RIDs, lowest resolution first), at
   * most `shed` steps below the top; undefined when none flows. A pinned
   * RID that does not flow is chosen for automatically.
   */
  choose(flowing: readonly string[], shed = 0): string | undefined {
    const count = flowing.length;
    if (count <= 1) return flowing[0];
    this.#layers = count;
    const top = Math.max(0, count - 1 - shed);
    const pinned = this.#pin === undefined ? -1 : flowing.indexOf(this.#pin);
    let index: number;
    if (pinned >= 0) index = pinned;
    else if (this.#pin === "low") index = 0;
    else if (this.#pin === "mid") index = Math.floor((count - 1) / 2);
    else if (this.#pin === "high") index = count - 1;
    else index = count - 1 - Math.min(this.#down, count - 1);
    return flowing[Math.min(index, top)];
  }
}

/**
 * Why `layer` cannot be asked of a source whose simulcast RIDs are `rids`
 * (undefined without simulcast), or undefined when it can: a rank, `auto`,
 * one of its RIDs, or any name of a source without simulcast (where it has
 * no effect, until a publisher with that RID comes).
 *
 * @example
 * ```ts
 * import { layerProblem } from "./layer_choice.ts";
 * if (layerProblem("mid", ["q", "h", "f"]) || !layerProblem("x", ["q", "f"])) throw new Error();
 * ```
 */
export function layerProblem(
  layer: string,
  rids: readonly string[] | undefined,
): string | undefined {
  if (!rids || layer === "auto" || rids.includes(layer)) return undefined;
  if ((LAYER_RANKS as readonly string[]).includes(layer)) return undefined;
  return `has no layer ${layer}: its layers are ${rids.join(", ")}, or ${
    LAYER_RANKS.join(", ")
  } or auto`;
}
