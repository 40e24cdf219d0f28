/** One benchmark figure, with its machine ceiling and their ratio when there is one. */
export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  ceiling?: number;
  ratio?: number;
};
