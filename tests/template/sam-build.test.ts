import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { esbuildFunctions, loadTemplate, projectRoot } from '../../local/template';
import { importsOf, partOf, projectSourceFiles } from '../support/project-imports';

// sam build copies each function's CodeUri and installs its package.json there: functions/ with its own
// manifest keeps that to the functions' code instead of the whole repository once per function.
const readJson = (path: string) =>
  JSON.parse(readFileSync(join(projectRoot, path), 'utf8')) as {
    dependencies: Record<string, string>;
    version?: string;
  };

describe('what sam build copies and installs', () => {
  it('builds every function from functions/, entry points included', () => {
    const template = loadTemplate();

    expect(template.Globals?.Function?.CodeUri).toBe('functions/');
    for (const fn of esbuildFunctions(template)) {
      expect(existsSync(join(projectRoot, fn.entryPoint))).toBe(true);
    }
  });

  it('installs the packages the functions import, at the versions npm ci installs', () => {
    const imported = projectSourceFiles()
      .filter((file) => partOf(file) === 'functions')
      .flatMap((file) => importsOf(file).flatMap(({ packageName }) => packageName ?? []))
      // Types-only modules (aws-lambda) exist as @types packages and are erased when compiled.
      .filter((name) => existsSync(join(projectRoot, 'node_modules', name)));
    const functions = readJson('functions/package.json');
    const installed = Object.fromEntries(
      [...new Set(imported)]
        .sort()
        .map((name) => [name, readJson(`node_modules/${name}/package.json`).version]),
    );

    expect(functions.dependencies).toEqual(installed);
  });
});
