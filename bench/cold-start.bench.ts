import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { esbuildFunctions, loadTemplate, type Template } from '../local/template';
import { buildAll, buildOptions } from '../scripts/build';
import { type DeployedFunction, deployedFunctions } from '../scripts/lambda-env';
import type { BenchRow } from './types';

/**
 * Each function's cold start as deployed: a fresh `node` loads dist/<LogicalId>/handler.js with the
 * function's Lambda environment (template variables, NODE_OPTIONS as `sam build` leaves it), against a
 * bare `node -e 0` started in the same rounds. Starts are interleaved so the machine's load falls on all
 * of them alike, and medians are compared.
 */
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 15);

interface Start {
  wallMs: number;
  cpuMs: number;
}

function start(env: NodeJS.ProcessEnv, bundle?: string): Start {
  const load = bundle ? `require(${JSON.stringify(bundle)});` : '';
  const script = `${load}const u=process.cpuUsage();process.stdout.write('\\ncpu '+(u.user+u.system));`;
  const began = performance.now();
  const child = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  const wallMs = performance.now() - began;
  const cpu = /\ncpu (\d+)$/.exec(child.stdout ?? '');
  if (child.status !== 0 || !cpu) {
    throw new Error(`${bundle ?? 'node -e 0'} did not load: ${child.stderr || child.stdout}`);
  }
  return { wallMs, cpuMs: Number(cpu[1]) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Variant {
  name: string;
  fn: DeployedFunction;
}

/**
 * The reference: bench/reference/one-sdk-client.ts bundled with the first SDK-using function's build
 * settings, loaded with that function's environment. What a cold start pays for one SDK client alone.
 */
async function oneSdkClient(
  template: Template,
  functions: DeployedFunction[],
  dir: string,
): Promise<Variant> {
  const [settings] = esbuildFunctions(template).filter(({ external }) => external.length > 0);
  const fn = functions.find(({ logicalId }) => logicalId === settings?.logicalId);
  if (!settings || !fn) throw new Error('no function bundles the AWS SDK');
  const bundle = join(dir, 'handler.js');
  await build(buildOptions(settings, bundle, 'bench/reference/one-sdk-client.ts'));
  return { name: `one SDK client alone (${settings.logicalId}'s build)`, fn: { ...fn, bundle } };
}

export async function run(): Promise<BenchRow[]> {
  const template = loadTemplate();
  const defaults = deployedFunctions({ template });
  if (defaults.some(({ bundle }) => !existsSync(bundle))) await buildAll();
  const variants: Variant[] = defaults.map((fn) => ({ name: fn.logicalId, fn }));
  const referenceDir = mkdtempSync(join(tmpdir(), 'cold-start-reference-'));
  variants.push(await oneSdkClient(template, defaults, referenceDir));
  // Where tracing is a switch, its cost when switched on is shown too.
  if (template.Parameters.TracingEnabled) {
    const traced = deployedFunctions({ template, parameters: { TracingEnabled: 'true' } });
    variants.push(...traced.map((fn) => ({ name: `${fn.logicalId}, tracing on`, fn })));
  }
  const bareEnv = { PATH: process.env.PATH };
  const bare: Start[] = [];
  const samples = variants.map(() => [] as Start[]);
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      bare.push(start(bareEnv));
      variants.forEach(({ fn }, index) => {
        samples[index]?.push(start(fn.env, fn.bundle));
      });
    }
  } finally {
    rmSync(referenceDir, { recursive: true, force: true });
  }
  const bareWall = median(bare.map(({ wallMs }) => wallMs));
  const bareCpu = median(bare.map(({ cpuMs }) => cpuMs));
  const rows: BenchRow[] = [
    {
      name: 'cold start: bare node -e 0',
      value: bareWall,
      unit: 'ms',
      note: `median wall of ${ROUNDS} starts; CPU ${bareCpu.toFixed(1)} ms`,
    },
  ];
  variants.forEach(({ name, fn }, index) => {
    const wall = median((samples[index] ?? []).map(({ wallMs }) => wallMs));
    const cpu = median((samples[index] ?? []).map(({ cpuMs }) => cpuMs));
    rows.push({
      name: `cold start ${name} / bare node`,
      value: wall / bareWall,
      unit: '×',
      note: `+${(wall - bareWall).toFixed(0)} ms wall, CPU ${(cpu / bareCpu).toFixed(2)}×; NODE_OPTIONS=${fn.env.NODE_OPTIONS ?? ''}`,
    });
  });
  return rows;
}
