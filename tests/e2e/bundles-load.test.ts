import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
