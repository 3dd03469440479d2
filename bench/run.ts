import { readdirSync } from 'node:fs';
import { join } from 'node:path';
// Quiet, offline defaults, as in the tests: benchmarks measure our code, not logging or the network.
import '../local/offline-env';
import type { BenchModule, BenchRow } from './types';

/**
 * `npm run bench`: runs every bench/*.bench.ts module in turn (one at a time, so they do not compete for
 * CPU) and prints one table. A module that fails is reported and makes the exit code non-zero.
 */

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [row.name, formatValue(row.value), row.unit, row.note ?? '']);
  const header = ['benchmark', 'value', 'unit', 'note'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => cell[column]?.length ?? 0)),
  );
  const line = (cell: string[]) =>
    cell
      .map((text, column) =>
        column === 1 ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const modules = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => !filter || file.includes(filter))
    .sort();
  const rows: BenchRow[] = [];
  let failed = false;
  for (const file of modules) {
    process.stderr.write(`running ${file}\n`);
    try {
      const module = (await import(join(__dirname, file))) as BenchModule;
      rows.push(...(await module.run()));
    } catch (error) {
      failed = true;
      rows.push({ name: file, value: Number.NaN, unit: '-', note: `failed: ${(error as Error).message}` });
    }
  }
  console.log(formatTable(rows));
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
