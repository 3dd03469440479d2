import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse, type Tags } from 'yaml';

/** CloudFormation short-form intrinsics (!Ref, !Sub, ...) read back as their long form ({ Ref: ... }). */
const intrinsicNames = [
  'Ref',
  'Sub',
  'GetAtt',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'ImportValue',
  'GetAZs',
  'Base64',
  'Cidr',
  'Condition',
  'Transform',
  'Contains',
];

const cfnTags: Tags = intrinsicNames.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const toLong = (value: unknown) => ({
    [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value,
  });
  return (['scalar', 'seq', 'map'] as const).map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (value: unknown) =>
      toLong(
        typeof value === 'object' && value && 'toJSON' in value
          ? (value as { toJSON(): unknown }).toJSON()
          : value,
      ),
  }));
}) as Tags;

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}

export interface Template {
  Parameters: Record<string, { Default?: unknown; Type: string }>;
  Globals?: { Function?: Record<string, unknown> };
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, unknown>;
}

export const projectRoot = join(__dirname, '..');

export function loadTemplate(path = join(projectRoot, 'template.yaml')): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: cfnTags }) as Template;
}

export interface EsbuildFunction {
  logicalId: string;
  /** The handler's entry point, relative to the project root. */
  entryPoint: string;
  /**
   * Every entry point, the handler's first. The others are files loaded at run time beside handler.js
   * (tracing.js, s3-sdk.js): sam build gives esbuild all of them at once, each its own bundle, named after
   * its source and written to the same directory when they share one.
   */
  entryPoints: string[];
  format: 'cjs' | 'esm';
  minify: boolean;
  target: string;
  sourcemap: boolean;
  /** Whether the source map embeds the sources (esbuild's default, true). */
  sourcesContent: boolean;
  /** package.json fields tried in order when resolving a package (sam build passes them to esbuild). */
  mainFields?: string[];
  external: string[];
}

/** sam build takes list properties as a YAML list or a comma-separated string. */
function listProperty(value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter(Boolean);
}

/**
 * Every function the template builds with esbuild, with the build settings `sam build` will use. The entry
 * point is relative to the project root: the template's is relative to the function's CodeUri.
 */
export function esbuildFunctions(template = loadTemplate()): EsbuildFunction[] {
  const globalCodeUri = (template.Globals?.Function?.CodeUri as string | undefined) ?? '.';
  return Object.entries(template.Resources)
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::Serverless::Function' && resource.Metadata?.BuildMethod === 'esbuild',
    )
    .map(([logicalId, resource]) => {
      const props = (resource.Metadata?.BuildProperties ?? {}) as Record<string, unknown>;
      const entryPoints = ((props.EntryPoints as string[] | undefined) ?? []).map((entry) =>
        posix.join(String(resource.Properties?.CodeUri ?? globalCodeUri), entry),
      );
      const [handler] = entryPoints;
      if (!handler?.endsWith('/handler.ts')) {
        throw new Error(`${logicalId}: esbuild Metadata's first EntryPoints item must be the handler.ts`);
      }
      // esbuild writes several entry points under their common directory: only one directory keeps
      // handler.js at the root of the artifact, where the template's Handler looks for it.
      if (entryPoints.some((entry) => posix.dirname(entry) !== posix.dirname(handler))) {
        throw new Error(`${logicalId}: every EntryPoints item must be in ${posix.dirname(handler)}/`);
      }
      return {
        logicalId,
        entryPoint: handler,
        entryPoints,
        format: (props.Format as 'cjs' | 'esm' | undefined) ?? 'cjs',
        minify: props.Minify === true,
        target: String(props.Target ?? 'es2022'),
        sourcemap: props.Sourcemap === true,
        sourcesContent: props.SourcesContent !== false,
        ...(props.MainFields !== undefined && { mainFields: listProperty(props.MainFields) }),
        external: (props.External as string[] | undefined) ?? [],
      };
    });
}
