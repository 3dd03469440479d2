import {
  type Import,
  importsOf,
  PARTS,
  type Part,
  partOf,
  projectSourceFiles,
} from '../support/project-imports';

/**
 * Imports flow one way: functions ← local ← scripts ← tests, bench. What the functions ship never depends
 * on a tool; the local pipeline and the libraries the tools share never depend on a command; nothing the
 * project runs depends on its tests or benchmarks, and those two never depend on each other.
 */
const MAY_IMPORT: Record<Part, readonly Part[]> = {
  functions: ['functions'],
  local: ['functions', 'local'],
  scripts: ['functions', 'local', 'scripts'],
  tests: ['functions', 'local', 'scripts', 'tests'],
  bench: ['functions', 'local', 'scripts', 'bench'],
};

function violations(imports: Import[]): string[] {
  return imports.flatMap(({ file, specifier, target }) => {
    const from = partOf(file);
    if (from === undefined || target === undefined) return [];
    const to = partOf(target);
    // sam build copies only functions/ (the CodeUri) before bundling: nothing outside it can be imported.
    if (from === 'functions' && to !== 'functions')
      return [`${file} imports ${specifier} (outside functions/)`];
    if (to === undefined || MAY_IMPORT[from].includes(to)) return [];
    return [`${file} imports ${specifier} (${from} may import only ${MAY_IMPORT[from].join(', ')})`];
  });
}

describe('import direction', () => {
  it('holds for every source file of the project', () => {
    const files = projectSourceFiles();
    const imports = files.flatMap((file) => importsOf(file));

    for (const part of PARTS) expect(files.some((file) => partOf(file) === part)).toBe(true);
    expect(imports.filter((entry) => entry.target !== undefined).length).toBeGreaterThan(500);
    expect(violations(imports)).toEqual([]);
  });

  it.each([
    ['local/pipeline.ts', "import { loadTemplate } from '../scripts/template';", 'local may import only'],
    [
      'scripts/fixtures.ts',
      "import type { WebhookCall } from '../tests/support/events';",
      'scripts may import',
    ],
    ['bench/run.ts', "import '../tests/setup-env';", 'bench may import only'],
    ['tests/unit/a.test.ts', "const x = await import('../../bench/types');", 'tests may import only'],
    ['local/x.ts', "const y = require('../scripts/build');", 'local may import only'],
    ['functions/lib/x.ts', "export { a } from '../../local/names';", 'outside functions/'],
    ['functions/lib/x.ts', "import policy from '../../events/ddns/policy.json';", 'outside functions/'],
  ])('finds a wrong-way import in %s: %s', (file, text, reason) => {
    expect(violations(importsOf(file, text))).toEqual([expect.stringContaining(reason)]);
  });

  it('lets each part import itself and the parts below it', () => {
    const text = [
      "import { envelope } from '../functions/lib/envelope';",
      "import { names } from '../local/names';",
      "import { build } from './build';",
      "import type { Template } from 'yaml';",
    ].join('\n');

    expect(violations(importsOf('scripts/x.ts', text))).toEqual([]);
    expect(violations(importsOf('bench/x.ts', text.replace("'./build'", "'../scripts/build'")))).toEqual([]);
  });
});
