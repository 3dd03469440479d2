import { spawnSync } from 'node:child_process';
import { build } from '/work/wt14/node_modules/esbuild';
(async () => {
  const names = ['s3', 'kinesis', 'sm', 'pt', 'tracer', 'ingest-lib'];
  for (const n of names) await build({ entryPoints: [`/tmp/wt14-parts/${n}.ts`], outfile: `/tmp/wt14-parts/out/${n}.js`, bundle: true, platform: 'node', format: 'cjs', minify: true, mainFields: ['module', 'main'], nodePaths: ['/work/wt14/node_modules'], logLevel: 'error' });
  const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_LAMBDA_FUNCTION_NAME: 'x', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const cpu = (f?: string) => Number(String(spawnSync(process.execPath, ['-e', (f ? `require('${f}');` : '') + 'const u=process.cpuUsage();process.stdout.write(String(u.user+u.system))'], { env }).stdout)) / 1000;
  const s: Record<string, number[]> = {};
  for (let r = 0; r < 9; r++) { (s.bare ??= []).push(cpu()); for (const n of names) (s[n] ??= []).push(cpu(`/tmp/wt14-parts/out/${n}.js`)); }
  const med = (a: number[]) => a.sort((x, y) => x - y)[4]!;
  const b = med(s.bare!);
  for (const [k, v] of Object.entries(s)) console.log(k.padEnd(12), (med(v) - b).toFixed(1), 'ms over bare', require('fs').existsSync(`/tmp/wt14-parts/out/${k}.js`) ? require('fs').statSync(`/tmp/wt14-parts/out/${k}.js`).size : '');
})();
