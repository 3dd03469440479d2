import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadTemplate } from '../../local/template';
import { buildAll } from '../../scripts/build';
import { type DeployedFunction, deployedFunctions } from '../../scripts/lambda-env';
import { sourceMapOf, symbolicate } from '../../scripts/symbolicate';

/**
 * Every built bundle loads (its cold start) with the environment the template gives it when deployed,
 * with the network shut: configuration is checked and clients are created at load, nothing is fetched.
 */
const noNetwork = join(__dirname, '..', 'support', 'no-network.cjs');
const distDir = mkdtempSync(join(tmpdir(), 'bundles-load-'));

beforeAll(async () => {
  await buildAll(distDir);
}, 120_000);

afterAll(() => rmSync(distDir, { recursive: true, force: true }));

function load(fn: DeployedFunction, env: Record<string, string> = fn.env) {
  // cls-hooked, which the X-Ray SDK loads to install its async hooks, leaves process.namespaces behind.
  const script = `const m = require(${JSON.stringify(fn.bundle)}); process.stdout.write(typeof m.handler + ' ' + typeof process.namespaces);`;
  return spawnSync(process.execPath, ['--require', noNetwork, '-e', script], {
    env: { ...env, PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
}

/**
 * What the script printed, less the one line Powertools' logger writes at load in the 1% of environments
 * its sample rate (POWERTOOLS_LOGGER_SAMPLE_RATE) puts at DEBUG.
 */
const printed = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => !line.includes('"message":"Setting log level to DEBUG due to sampling rate"'))
    .join('\n');

const template = loadTemplate();
const functions = deployedFunctions({ template }).map((fn) => fn.logicalId);

describe('built bundles', () => {
  it.each(functions)('%s loads with its deployed environment and no network', (logicalId) => {
    const fn = deployedFunctions({ template, distDir }).find(
      (candidate) => candidate.logicalId === logicalId,
    );
    if (!fn) throw new Error(`${logicalId} missing`);

    const child = load(fn);

    expect(child.stderr).toBe('');
    expect(printed(child.stdout)).toBe('function undefined');
    expect(child.status).toBe(0);
  });

  it.each(functions)('%s loads with tracing switched on and no network', (logicalId) => {
    const fn = deployedFunctions({ template, distDir, parameters: { TracingEnabled: 'true' } }).find(
      (candidate) => candidate.logicalId === logicalId,
    );
    if (!fn) throw new Error(`${logicalId} missing`);
    expect(fn.tracing).toBe(true);

    const child = load(fn);

    expect(child.stderr).toBe('');
    expect(printed(child.stdout)).toBe('function object');
  });

  // What a bundle loads from beside itself at run time (observability's tracer, the claim check's S3 SDK)
  // must be built there, and export what its loader takes from it.
  const runTimeFiles = {
    tracing: ['Tracer', 'captureLambdaHandler'],
    's3-sdk': ['S3Client', 'GetObjectCommand'],
  };

  it.each(functions)('%s has every file it loads at run time built beside it', (logicalId) => {
    const fn = deployedFunctions({ template, distDir }).find(
      (candidate) => candidate.logicalId === logicalId,
    );
    if (!fn) throw new Error(`${logicalId} missing`);
    const code = readFileSync(fn.bundle, 'utf8');
    const loaded = Object.entries(runTimeFiles).filter(([name]) => code.includes(`__dirname,"${name}")`));

    expect(loaded.map(([name]) => name)).toContain('tracing');
    for (const [name, exports] of loaded) {
      const file = join(dirname(fn.bundle), `${name}.js`);
      expect(existsSync(file)).toBe(true);
      const script = `const m = require(${JSON.stringify(file)}); process.stdout.write(${JSON.stringify(exports)}.map((k) => typeof m[k]).join(' '));`;
      const child = spawnSync(process.execPath, ['--require', noNetwork, '-e', script], {
        env: { ...fn.env, PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      });
      expect(child.stderr).toBe('');
      expect(printed(child.stdout)).toBe('function function');
    }
  });

  it('fails to load, naming the variable, when the template environment lacks one', () => {
    const fn = deployedFunctions({ template, distDir }).find(
      ({ logicalId }) => logicalId === 'IngestFunction',
    );
    if (!fn) throw new Error('IngestFunction missing');
    const { STREAM_NAME: _removed, ...env } = fn.env;

    const child = load(fn, env);

    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain('STREAM_NAME');
  });

  it('maps a frame of a file shipped beside the handler back to its source', async () => {
    const fn = deployedFunctions({ template, distDir }).find(
      ({ logicalId }) => logicalId === 'IngestFunction',
    );
    if (!fn) throw new Error('IngestFunction missing');
    const file = join(dirname(fn.bundle), 'tracing.js');
    // Where the tracer's own message is in the minified file: one line, so the column is the offset.
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((text) =>
      text.includes('you are not using the Tracer in a Lambda function'),
    );
    const column = (lines[line] ?? '').indexOf('Failed to get the current sub/segment');
    const frame = `at Tracer.getSegment (/var/task/tracing.js:${line + 1}:${column + 1})`;

    const mapped = symbolicate(frame, await sourceMapOf('IngestFunction', 'tracing'), 'tracing');

    expect(mapped).toMatch(/node_modules\/@aws-lambda-powertools\/tracer\/lib\/esm\/Tracer\.js:\d+:\d+/);
    expect(symbolicate(frame, await sourceMapOf('IngestFunction'))).toBe(frame);
  }, 60_000);

  it('maps a deployed stack trace back to the TypeScript source', async () => {
    const fn = deployedFunctions({ template, distDir }).find(
      ({ logicalId }) => logicalId === 'IngestFunction',
    );
    if (!fn) throw new Error('IngestFunction missing');
    const { STREAM_NAME: _removed, ...env } = fn.env;
    const trace = load(fn, env).stderr;
    expect(trace).toMatch(/handler\.js:\d+:\d+/);

    const mapped = symbolicate(trace, await sourceMapOf('IngestFunction'));

    expect(mapped).toMatch(/functions\/lib\/config\.ts:\d+:\d+/);
    expect(mapped).toMatch(/functions\/lib\/ingest\.ts:\d+:\d+/);
  }, 60_000);
});
