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
  entryPoint: string;
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
      const entryPoints = props.EntryPoints as string[] | undefined;
      if (entryPoints?.length !== 1 || !entryPoints[0]) {
        throw new Error(`${logicalId}: esbuild Metadata needs exactly one EntryPoints item`);
      }
      return {
        logicalId,
        entryPoint: posix.join(String(resource.Properties?.CodeUri ?? globalCodeUri), entryPoints[0]),
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
