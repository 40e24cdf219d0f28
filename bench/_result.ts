/** One benchmark figure, with its machine ceiling and their ratio when there is one. */
export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  ceiling?: number;
  ratio?: number;
  /** What the figure was measured on, when the numbers alone do not say. */
  note?: string;
};
