import { join } from 'node:path';
import { esbuildFunctions, loadTemplate, projectRoot, type Template } from '../local/template';
import { localFunctions, resolveTemplateValue } from '../local/template-env';

/**
 * Each function's process environment as Lambda sets it when the stack is deployed with the template's
 * defaults: the runtime's own variables, the template's (resolved to recognisable fake names), and
 * NODE_OPTIONS as `sam build` leaves it. The cold-start benchmark and the bundle-loading test start the
 * built bundles with it.
 */
export interface DeployedFunction {
  logicalId: string;
  /** dist/<LogicalId>/handler.js */
  bundle: string;
  memorySize: number;
  tracing: boolean;
  env: Record<string, string>;
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** `sam build` appends --enable-source-maps to NODE_OPTIONS of every function that ships a source map. */
export function deployedNodeOptions(templateValue: string | undefined, sourcemap: boolean): string {
  const options = (templateValue ?? '').split(/\s+/).filter(Boolean);
  if (sourcemap && !options.includes('--enable-source-maps')) options.push('--enable-source-maps');
  return options.join(' ');
}

function tracingMode(template: Template, logicalId: string, parameters: Record<string, string>): string {
  const value =
    template.Resources[logicalId]?.Properties?.Tracing ??
    template.Globals?.Function?.Tracing ??
    'PassThrough';
  return String(resolveTemplateValue(value, template, { parameters }));
}

export function deployedFunctions(
  options: { template?: Template; distDir?: string; parameters?: Record<string, string> } = {},
): DeployedFunction[] {
  const template = options.template ?? loadTemplate();
  const distDir = options.distDir ?? join(projectRoot, 'dist');
  // Redelivery is only deployed when it has a webhook to watch: give it one, so every function is there.
  const parameters = { RedeliveryHooks: 'repo:octo-org/octo-repo:292201938', ...options.parameters };
  const builds = new Map(esbuildFunctions(template).map((fn) => [fn.logicalId, fn]));
  const secretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
  const functions = localFunctions(template, {
    parameters,
    resourceValues: {
      WebhookSecret: secretArn('webhook-secret'),
      GithubApiSecret: secretArn('github-api'),
    },
  });
  return functions.map((fn) => {
    const build = builds.get(fn.logicalId);
    const bundleDir = join(distDir, fn.logicalId);
    const tracing = tracingMode(template, fn.logicalId, parameters) === 'Active';
    const functionName = `webhook-pipeline-${fn.logicalId}`;
    const env: Record<string, string> = {
      ...fn.environment,
      NODE_OPTIONS: deployedNodeOptions(fn.environment.NODE_OPTIONS, build?.sourcemap ?? false),
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/07/[$LATEST]0123456789abcdef0123456789abcdef',
      LAMBDA_TASK_ROOT: bundleDir,
      _HANDLER: 'handler.handler',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      // Lambda runs Node 22; the SDK's notice about an older Node concerns this machine only.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(tracing && {
        AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
        _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
        _AWS_XRAY_DAEMON_PORT: '2000',
      }),
    };
    if (env.NODE_OPTIONS === '') delete env.NODE_OPTIONS;
    return {
      logicalId: fn.logicalId,
      bundle: join(bundleDir, 'handler.js'),
      memorySize: fn.memorySize,
      tracing,
      env,
    };
  });
}
