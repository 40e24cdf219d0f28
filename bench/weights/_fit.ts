/**
 * Least squares for the weight model `y = base + Σ slope_i · x_i`, as
 * frame-benchmarking's `Analysis::min_squares_iqr` fits it, but weighted by
 * `1 / y²`: the noise of a timing grows with the time, so each point counts
 * by its relative error. Unweighted, the scatter of a 6 ms point (5 MiB
 * hashed) moves the base of a 5 µs call by tens of microseconds.
 *
 * @module
 */

/** A fitted linear model: `base + Σ slopes[i] · x[i]`. */
export interface LinearModel {
  base: number;
  slopes: number[];
}

/** One measured point: component values `x` and the time `y`. */
export interface Point {
  x: number[];
  y: number;
}

/**
 * Fits `y = base + Σ slope_i · x_i` to `points` by least squares weighted by
 * `1 / y²` (normal equations, Gaussian elimination with partial pivoting). A component that
 * never varies gets slope 0 and its cost folds into the base.
 *
 * @example
 * ```ts
 * import { fitLinear } from "./_fit.ts";
 * const m = fitLinear([{ x: [0], y: 5 }, { x: [10], y: 25 }, { x: [20], y: 45 }]);
 * if (Math.abs(m.base - 5) > 1e-9 || Math.abs(m.slopes[0] - 2) > 1e-9) throw new Error("fit");
 * ```
 */
export function fitLinear(points: Point[]): LinearModel {
  if (!points.length) throw new RangeError("Cannot fit: no points");
  const k = points[0].x.length;
  // Only components that vary are fitted; the others cannot be told apart from the base.
  const varying = [...Array(k).keys()].filter((i) => points.some((p) => p.x[i] !== points[0].x[i]));
  const n = varying.length + 1;
  const fastest = Math.max(1, Math.min(...points.map((p) => p.y)));
  const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const p of points) {
    const row = [1, ...varying.map((i) => p.x[i])];
    // Scaled so that the fastest point weighs 1: picosecond-sized times would
    // otherwise make the normal equations look singular.
    const w = (fastest / Math.max(p.y, 1)) ** 2;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) a[r][c] += w * row[r] * row[c];
      a[r][n] += w * row[r] * p.y;
    }
  }
  const solution = solve(a);
  const slopes = new Array<number>(k).fill(0);
  varying.forEach((i, j) => slopes[i] = solution[j + 1]);
  // The constant components' values are in every point: fold them into the base.
  return { base: solution[0], slopes };
}

function solve(a: number[][]): number[] {
  const n = a.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    }
    if (Math.abs(a[pivot][col]) < 1e-12) {
      throw new RangeError("Cannot fit: the components' values do not determine the model");
    }
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

/** The median of `xs` (not empty). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
