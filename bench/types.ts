/** One line of the benchmark table: every `bench/*.bench.ts` module's `run()` returns a list of these. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export type BenchModule = { run(): Promise<BenchRow[]> };
