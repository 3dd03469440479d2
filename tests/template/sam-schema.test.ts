import Ajv from 'ajv-draft-04';
import { esbuildFunctions, loadTemplate } from '../../local/template';
import schema from '../fixtures/schemas/sam.schema.json';

const template = loadTemplate();
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(schema, 'sam');

/** The schema definition that validates one AWS::Serverless::* resource type. */
function definitionFor(type: string): string {
  const name = type.replace('AWS::Serverless::', '').toLowerCase();
  return `sam#/definitions/samtranslator__internal__schema_source__aws_serverless_${name}__Resource`;
}

const serverless = Object.entries(template.Resources).filter(([, r]) =>
  r.Type.startsWith('AWS::Serverless::'),
);

describe('template.yaml against the SAM schema', () => {
  it('has serverless resources to check', () => {
    expect(serverless.length).toBeGreaterThanOrEqual(6);
  });

  it.each(serverless)('%s is a valid SAM resource', (_id, resource) => {
    const validate = ajv.getSchema(definitionFor(resource.Type));
    expect(validate).toBeDefined();
    const valid = validate?.(resource);
    expect(validate?.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('validates as a whole template, Globals included', () => {
    const validate = ajv.getSchema('sam');
    const valid = validate?.(template);
    expect(valid).toBe(true);
  });
});

describe('function conventions', () => {
  const globals = template.Globals?.Function ?? {};
  const functions = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Serverless::Function',
  );

  it('runs every function on nodejs22.x, arm64, with tracing behind one switch', () => {
    expect(globals.Runtime).toBe('nodejs22.x');
    expect(globals.Architectures).toEqual(['arm64']);
    expect(globals.Tracing).toEqual({ 'Fn::If': ['TraceRequests', 'Active', 'PassThrough'] });
    const variables = (globals.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.POWERTOOLS_TRACE_ENABLED).toEqual({ Ref: 'TracingEnabled' });
    for (const [, fn] of functions) {
      expect(fn.Properties?.Runtime ?? globals.Runtime).toBe('nodejs22.x');
    }
  });

  it('builds every function with esbuild from a handler.ts entry point', () => {
    const built = esbuildFunctions(template).map((fn) => fn.logicalId);
    expect(built.sort()).toEqual(functions.map(([id]) => id).sort());
    for (const fn of esbuildFunctions(template)) {
      expect(fn.entryPoint).toMatch(/^functions\/[a-z-]+\/handler\.ts$/);
      // A shipped source map makes sam build add --enable-source-maps, which every cold start pays for.
      expect(fn.sourcemap).toBe(false);
      expect(fn.mainFields).toEqual(['module', 'main']);
    }
    expect(JSON.stringify(template.Globals)).not.toContain('--enable-source-maps');
  });

  it.each(functions)('%s logs to its own log group with a retention', (_id, fn) => {
    const logGroupRef = (fn.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)
      ?.LogGroup?.Ref;
    expect(logGroupRef).toBeDefined();
    const logGroup = template.Resources[logGroupRef as string];
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup?.Properties?.RetentionInDays).toBeDefined();
  });

  it.each(functions)('%s names its service for logs and metrics', (_id, fn) => {
    const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    expect(typeof variables?.POWERTOOLS_SERVICE_NAME).toBe('string');
  });
});
