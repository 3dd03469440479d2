import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * What every source file of the project imports, read with the TypeScript compiler's own pre-processor
 * (static imports, `export ... from`, `import type`, `import()`, `require()`), so the checks on import
 * direction and declared dependencies see exactly what the compiler and the bundler see.
 */
export const projectRoot = join(__dirname, '..', '..');

/** The project's parts, in the order they may depend on each other (see README, "Development"). */
export const PARTS = ['functions', 'local', 'scripts', 'tests', 'bench'] as const;
export type Part = (typeof PARTS)[number];

const sourceFile = /\.(ts|tsx|mts|cts|js|cjs|mjs)$/;
const notSources = new Set(['node_modules', 'dist', '.local', 'coverage', '.aws-sam', '.venv']);

export interface Import {
  /** Project-relative path of the importing file, with forward slashes. */
  file: string;
  specifier: string;
  /** Project-relative target path (without extension) for a relative specifier. */
  target?: string;
  /** The npm package a bare specifier names (`@scope/name` or `name`); undefined for built-ins. */
  packageName?: string;
}

function walk(dir: string, found: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (notSources.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (sourceFile.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(path);
  }
}

/** Every source file under the project's parts, project-relative with forward slashes. */
export function projectSourceFiles(): string[] {
  const found: string[] = [];
  for (const part of PARTS) walk(join(projectRoot, part), found);
  return found.map((path) => relative(projectRoot, path).split(sep).join('/')).sort();
}

export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? ''))
    return undefined;
  const [first, second] = specifier.split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

export function importsOf(file: string, text = readFileSync(join(projectRoot, file), 'utf8')): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName: specifier }) => {
    if (specifier.startsWith('.')) {
      const target = join(dirname(file), specifier).split(sep).join('/');
      return { file, specifier, target };
    }
    const packageName = packageOf(specifier);
    return packageName === undefined ? { file, specifier } : { file, specifier, packageName };
  });
}

export function partOf(path: string): Part | undefined {
  const first = path.split('/')[0];
  return PARTS.find((part) => part === first);
}
