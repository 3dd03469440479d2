import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '/work/wt14/node_modules/esbuild';
import { deployedFunctions } from '/work/wt14/scripts/lambda-env';
import { esbuildFunctions, projectRoot } from '/work/wt14/scripts/template';

const variants: Record<string, { mainFields?: string[]; minify: boolean; sourcemap: boolean; sourcesContent?: boolean; flag: boolean }> = {
  esm_nomap: { mainFields: ['module', 'main'], minify: true, sourcemap: false, flag: false },
  esm_nominify: { mainFields: ['module', 'main'], minify: false, sourcemap: false, flag: false },
};
const only = process.argv[2]?.split(',');
(async () => {
  const fns = esbuildFunctions();
  const results: Record<string, Record<string, string>> = {};
  for (const [name, v] of Object.entries(variants)) {
    const out = `/tmp/wt14-exp/${name}`;
    await Promise.all(fns.map((fn) => build({ entryPoints: [join(projectRoot, fn.entryPoint)], outfile: join(out, fn.logicalId, 'handler.js'), bundle: true, platform: 'node', format: 'cjs', minify: v.minify, target: 'es2022', sourcemap: v.sourcemap, sourcesContent: v.sourcesContent, mainFields: v.mainFields, logLevel: 'error' })));
  }
  const time = (env: any, bundle?: string) => { const r = spawnSync(process.execPath, ['-e', (bundle ? `require(${JSON.stringify(bundle)});` : '') + 'const u=process.cpuUsage();process.stdout.write(String(u.user+u.system))'], { env }); if (r.status) throw new Error(String(r.stderr)); return Number(String(r.stdout))/1000; };
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1] as number;
  const samples: Record<string, number[]> = {}; const bare: number[] = [];
  for (let r = 0; r < 9; r++) {
    bare.push(time({ PATH: process.env.PATH }));
    for (const [name, v] of Object.entries(variants)) {
      for (const fn of deployedFunctions({ distDir: `/tmp/wt14-exp/${name}` })) {
        if (only && !only.includes(fn.logicalId)) continue;
        const env = { ...fn.env }; if (v.flag) env.NODE_OPTIONS = '--enable-source-maps'; else delete env.NODE_OPTIONS;
        (samples[`${name} ${fn.logicalId}`] ??= []).push(time(env, fn.bundle));
      }
    }
  }
  const b = med(bare);
  console.log('bare', b.toFixed(1));
  for (const [k, s] of Object.entries(samples)) { const [name, id] = k.split(' '); console.log(k.padEnd(45), (med(s) / b).toFixed(2), statSync(`/tmp/wt14-exp/${name}/${id}/handler.js`).size); }
})();
