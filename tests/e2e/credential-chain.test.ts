import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { esbuildFunctions, projectRoot } from '../../local/template';
import { buildOptions } from '../../scripts/build';

/**
 * The functions bundle only the environment link of the SDK's default credential chain; the later links
 * are External in the template and load, when reached, from an SDK installed beside the bundle (in Lambda,
 * the runtime's own). A client built with a function's exact build settings shows both.
 */
const work = mkdtempSync(join(tmpdir(), 'credential-chain-'));
const home = join(work, 'home');
// The bundle alone, and the same bundle where an installed SDK can be found from it.
const alone = join(work, 'alone', 'handler.js');
const besideSdk = join(work, 'beside-sdk', 'task', 'handler.js');

beforeAll(async () => {
  const [fn] = esbuildFunctions().filter(({ external }) => external.length > 0);
  if (!fn) throw new Error('no function leaves credential providers out of its bundle');
  const entry = join(__dirname, 'support', 'credentials-entry.ts');
  await build(buildOptions({ ...fn, entryPoint: entry.slice(projectRoot.length + 1) }, alone));
  mkdirSync(dirname(besideSdk), { recursive: true });
  copyFileSync(alone, besideSdk);
  symlinkSync(join(projectRoot, 'node_modules'), join(work, 'beside-sdk', 'node_modules'), 'dir');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(
    join(home, '.aws', 'config'),
    '[profile ci]\naws_access_key_id = AKIAPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n',
  );
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function resolve(bundle: string, env: Record<string, string>): string {
  const noNetwork = join(__dirname, '..', 'support', 'no-network.cjs');
  const child = spawnSync(process.execPath, ['--require', noNetwork, bundle], {
    env: { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    encoding: 'utf8',
  });
  return child.stdout;
}

describe('the credential chain of a bundled function', () => {
  it('leaves the links after the environment out of the bundle', () => {
    const code = readFileSync(alone, 'utf8');

    expect(code).not.toContain('Detected a cycle attempting to resolve credentials');
    expect(code).toContain('import("@aws-sdk/credential-provider-ini")');
  });

  it('signs with the environment credentials Lambda sets, loading nothing from outside the bundle', () => {
    const env = { AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE', AWS_SECRET_ACCESS_KEY: 'env-secret' };

    expect(resolve(alone, env)).toBe('resolved ASIAENVEXAMPLE');
  });

  it('reaches a profile through the SDK installed beside it', () => {
    expect(resolve(besideSdk, { AWS_PROFILE: 'ci' })).toBe('resolved AKIAPROFILEEXAMPLE');
  });

  it('names the link it could not load where no SDK is installed', () => {
    expect(resolve(alone, { AWS_PROFILE: 'ci' })).toContain(
      "Cannot find package '@aws-sdk/credential-provider-ini'",
    );
  });
});
