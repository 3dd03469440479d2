import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { type EsbuildFunction, esbuildFunctions, projectRoot } from '../local/template';
import { buildConsole } from './lib/console-bundle';

/**
 * esbuild options for one function, from the template's esbuild Metadata, as `sam build` passes them: the
 * handler's entry point, or another of the function's entry points (`entryPoint`).
 */
export function buildOptions(fn: EsbuildFunction, outfile: string, entryPoint = fn.entryPoint): BuildOptions {
  return {
    entryPoints: [join(projectRoot, entryPoint)],
    outfile,
    bundle: true,
    platform: 'node',
    format: fn.format,
    minify: fn.minify,
    target: fn.target,
    sourcemap: fn.sourcemap,
    sourcesContent: fn.sourcesContent,
    ...(fn.mainFields && { mainFields: fn.mainFields }),
    external: fn.external,
    logLevel: 'warning',
  };
}

/**
 * Bundles every function exactly as `sam build` does from the template's esbuild Metadata, into
 * dist/<LogicalId>/handler.js. The local pipeline, `npm run invoke` and the benchmarks run these bundles.
 */
export async function buildAll(outRoot = join(projectRoot, 'dist')): Promise<Record<string, string>> {
  rmSync(outRoot, { recursive: true, force: true });
  const outputs: Record<string, string> = {};
  // The local console's page is bundled alongside the functions (dist/console), for `npm start`.
  const page = buildConsole(join(outRoot, 'console'));
  await Promise.all(
    esbuildFunctions().map(async (fn) => {
      const outfile = join(outRoot, fn.logicalId, 'handler.js');
      // Each entry point is a bundle of its own, as sam build makes them (no code splitting).
      await Promise.all(
        fn.entryPoints.map((entry) =>
          build(buildOptions(fn, join(dirname(outfile), `${basename(entry, '.ts')}.js`), entry)),
        ),
      );
      outputs[fn.logicalId] = outfile;
    }),
  );
  await page;
  return outputs;
}

if (require.main === module) {
  buildAll().then(
    (outputs) => console.log(`built ${Object.keys(outputs).length} functions into dist/`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
