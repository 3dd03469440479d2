import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * The Python tools of requirements.txt, installed by `npm run check:aws` (scripts/aws-tools.sh) into .venv/.
 * `npm test` on a machine without them skips the tests that need them and says so; CI (CI=true) and
 * `npm run check:aws` (REQUIRE_AWS_TOOLS=1) refuse to skip.
 */
const ROOT = join(__dirname, '..', '..');
// AWS_TOOLS_VENV points elsewhere (a shared environment, or a missing one to see the skip).
const TOOLS_BIN = join(process.env.AWS_TOOLS_VENV ?? join(ROOT, '.venv', 'aws'), 'bin');

export const awsToolsRequired = process.env.REQUIRE_AWS_TOOLS === '1' || process.env.CI === 'true';

export interface AwsTools {
  python: string;
  motoServer: string;
}

export function findAwsTools(): AwsTools | undefined {
  const python = join(TOOLS_BIN, 'python');
  const motoServer = join(TOOLS_BIN, 'moto_server');
  return existsSync(python) && existsSync(motoServer) ? { python, motoServer } : undefined;
}

/**
 * `describe` when the tools are there; otherwise one skipped test whose name says which layer was skipped
 * and why (Jest lists it), or, where the tools are required, one failing test.
 */
export function describeWithAwsTools(layer: string, body: (tools: AwsTools) => void): void {
  const tools = findAwsTools();
  if (tools) {
    describe(layer, () => body(tools));
    return;
  }
  const reason = `SKIPPED LAYER "${layer}": no Python tools in ${TOOLS_BIN} (run npm run check:aws to install them)`;
  if (awsToolsRequired) {
    it(layer, () => {
      throw new Error(`${reason}; they are required here (CI=true or REQUIRE_AWS_TOOLS=1)`);
    });
    return;
  }
  process.stderr.write(`${reason}\n`);
  it.skip(reason, () => undefined);
}

export interface RunningMoto {
  endpoint: string;
  stop(): void;
}

/** moto server on a free loopback port, once it answers. */
export async function startMotoServer(tools: AwsTools): Promise<RunningMoto> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const child = spawn(tools.motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (;;) {
    const ready = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { endpoint, stop: () => child.kill() };
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * template.yaml as CloudFormation receives it: translated by AWS SAM's own translator (samtranslator, from
 * requirements.txt), so resources SAM generates (schedules, stages, roles) can be checked too.
 */
export function translateTemplate(tools: AwsTools): unknown {
  const output = execFileSync(
    tools.python,
    [join(__dirname, 'sam-translate.py'), join(ROOT, 'template.yaml')],
    { env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' }, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(output.toString('utf8')) as unknown;
}
