import { build } from '/work/wt14/node_modules/esbuild';
(async () => {
  for (const fn of process.argv.slice(2)) {
    const r = await build({ entryPoints: [`functions/${fn}/handler.ts`], bundle: true, platform: 'node', format: 'cjs', minify: true, target: 'es2022', mainFields: ['module', 'main'], write: false, outfile: '/tmp/x.js', metafile: true, logLevel: 'error' });
    const out = Object.values(r.metafile.outputs)[0]!;
    const byPkg: Record<string, number> = {};
    for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m ? m[1]! : path.split('/').slice(0, 3).join('/');
      byPkg[key] = (byPkg[key] ?? 0) + bytesInOutput;
    }
    console.log(fn, out.bytes);
    console.log(Object.entries(byPkg).sort((a, b) => b[1] - a[1]).slice(0, 22).map(([k, v]) => `  ${v} ${k}`).join('\n'));
  }
})();
