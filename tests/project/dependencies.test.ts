import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importsOf, type Part, partOf, projectRoot, projectSourceFiles } from '../support/project-imports';

/**
 * The line between what ships and what only develops (README, "Development"):
 * - functions/package.json: exactly the packages the functions import (tests/template/sam-build.test.ts);
 * - dependencies: exactly what the functions and the tools (local/, scripts/: `npm start`, send, replay,
 *   redrive, build...) import at run time, plus the runner of the tools' npm scripts;
 * - devDependencies: the rest, each one imported by the tests or benchmarks, or used by the toolchain.
 */
interface Manifest {
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  bin?: string | Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const readJson = (path: string) => JSON.parse(readFileSync(join(projectRoot, path), 'utf8')) as Manifest;
const root = readJson('package.json');
const runtime = Object.keys(root.dependencies);
const development = Object.keys(root.devDependencies ?? {});
const declared = [...runtime, ...development];

const installed = (name: string) => existsSync(join(projectRoot, 'node_modules', name, 'package.json'));
// A module that exists only as @types/<name> (aws-lambda) is types-only: erased when compiled.
const typesOnly = (name: string) => !installed(name) && installed(`@types/${name}`);

function importedPackages(parts: readonly Part[]): { values: Set<string>; types: Set<string> } {
  const values = new Set<string>();
  const types = new Set<string>();
  for (const file of projectSourceFiles()) {
    const part = partOf(file);
    if (part === undefined || !parts.includes(part)) continue;
    for (const { packageName } of importsOf(file)) {
      if (packageName === undefined) continue;
      if (typesOnly(packageName)) types.add(`@types/${packageName}`);
      else values.add(packageName);
    }
  }
  return { values, types };
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/** Packages whose command an npm script runs (`tsx`, `jest`, `tsc`...), by script name. */
function commandsRun(scriptNames: string[]): string[] {
  const words = new Set(scriptNames.flatMap((name) => (root.scripts?.[name] ?? '').split(/[\s&|;]+/)));
  return declared.filter((name) => {
    const { bin } = readJson(`node_modules/${name}/package.json`);
    const commands = typeof bin === 'string' ? [name.replace(/^@[^/]+\//, '')] : Object.keys(bin ?? {});
    // tsx also runs as a loader: `node --import tsx`.
    return commands.some((command) => words.has(command)) || words.has(name);
  });
}

// The npm scripts that run a tool (a file under local/ or scripts/), as opposed to checks and benchmarks.
const toolScripts = Object.entries(root.scripts ?? {})
  .filter(([, command]) => /\b(local|scripts)\/[\w/.-]+\.ts\b/.test(command))
  .map(([name]) => name);

describe('declared dependencies', () => {
  it('dependencies are exactly what the functions and the tools need at run time', () => {
    const tools = importedPackages(['functions', 'local', 'scripts']).values;

    expect(toolScripts).toEqual(expect.arrayContaining(['start', 'build', 'send', 'replay', 'redrive']));
    expect(sorted(runtime)).toEqual(sorted([...tools, ...commandsRun(toolScripts)]));
  });

  it('every package the tests and benchmarks import is declared, types among the dev dependencies', () => {
    const { values, types } = importedPackages(['functions', 'local', 'scripts', 'tests', 'bench']);

    expect([...values].filter((name) => !declared.includes(name))).toEqual([]);
    expect([...types].filter((name) => !development.includes(name))).toEqual([]);
  });

  it('every dev dependency is used by the tests, the benchmarks or the toolchain', () => {
    const { values, types } = importedPackages(['tests', 'bench']);
    const allTypes = importedPackages(['functions', 'local', 'scripts']).types;
    const configs = ['jest.config.js', 'tsconfig.json'].map((file) =>
      readFileSync(join(projectRoot, file), 'utf8'),
    );
    const named = (name: string) =>
      configs.some((text) => text.includes(`'${name}`) || text.includes(`"${name.replace('@types/', '')}"`));
    const peers = new Set(
      declared.flatMap((name) =>
        Object.keys(readJson(`node_modules/${name}/package.json`).peerDependencies ?? {}),
      ),
    );
    const commands = commandsRun(Object.keys(root.scripts ?? {}));
    const used = (name: string) =>
      values.has(name) ||
      types.has(name) ||
      allTypes.has(name) ||
      commands.includes(name) ||
      named(name) ||
      peers.has(name);

    expect(development.filter((name) => !used(name))).toEqual([]);
  });

  it('declares no package twice', () => {
    expect(runtime.filter((name) => development.includes(name))).toEqual([]);
  });
});
