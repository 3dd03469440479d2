import { join } from 'node:path';
import { SOURCE_IDS } from '../functions/lib/envelope';
import { localSecret } from './dev-secrets';
import { LOCAL_CREDENTIALS } from './emulators';
import { localDnsParameters } from './fakes/route53';
import { LOCAL_REGION } from './names';
import type { FunctionSpec } from './runtime/lambda';
import { loadTemplate, projectRoot, type Template } from './template';
import { type LocalFunction, localFunctions, type ResolveOptions } from './template-env';

/** Function variables a shell variable of the same name may not override. */
const RESERVED = /^(AWS_|POWERTOOLS_|NODE_|_|LAMBDA_)/;

/** A real service is used instead of its local fake when the shell configures it. */
export function realServices(env: NodeJS.ProcessEnv) {
  return {
    opensearch: Boolean(env.OPENSEARCH_ENDPOINT),
    eventbridge: Boolean(env.EVENT_BUS_NAME),
    route53: Boolean(env.DNS_HOSTED_ZONE_ID),
    sns: Boolean(env.ALARM_TOPIC_ARN),
  };
}

/** Template parameters and resource names as the local pipeline sees them. */
export function localResolveOptions(env: NodeJS.ProcessEnv): ResolveOptions {
  return {
    parameters: {
      ...localDnsParameters(env),
      ...(env.DNS_HOSTED_ZONE_ID && { DnsHostedZoneId: env.DNS_HOSTED_ZONE_ID }),
      ...(env.LOG_LEVEL && { LogLevel: env.LOG_LEVEL.toUpperCase() }),
    },
    resourceValues: env.EVENT_BUS_NAME ? { WebhookEventBus: env.EVENT_BUS_NAME } : {},
  };
}

export interface FunctionSpecOptions {
  env: NodeJS.ProcessEnv;
  /** Where the emulators and fakes listen: kinesis, dynamodb, s3, sfn, eventbridge, sns, route53, opensearch. */
  endpoints: Record<string, string>;
  logLevel: string;
  maxConcurrency: number;
  onLog?: (logicalId: string, line: string) => void;
  template?: Template;
}

/** Every function of the template, ready to run locally against the given endpoints. */
export function functionSpecs(options: FunctionSpecOptions): FunctionSpec[] {
  const template = options.template ?? loadTemplate();
  const shared = baseEnv(options);
  return localFunctions(template, localResolveOptions(options.env)).map((fn) => ({
    logicalId: fn.logicalId,
    functionName: fn.functionName,
    handlerPath: join(projectRoot, 'dist', fn.logicalId, 'handler.js'),
    handlerExport: handlerExport(fn, template),
    timeoutSeconds: fn.timeoutSeconds,
    memorySize: fn.memorySize,
    environment: functionEnv(fn, options.env, shared),
    maxConcurrency: options.maxConcurrency,
    ...(options.onLog && { onLog: options.onLog }),
  }));
}

function handlerExport(fn: LocalFunction, template: Template): string {
  const handler = String(
    fn.resource.Properties?.Handler ?? template.Globals?.Function?.Handler ?? 'handler.handler',
  );
  return handler.slice(handler.lastIndexOf('.') + 1);
}

/** Variables every function gets locally: region, credentials, endpoints, quiet observability. */
function baseEnv({ env, endpoints, logLevel }: FunctionSpecOptions): Record<string, string> {
  const real = realServices(env);
  // Real services need the shell's credentials; the emulators and fakes take any.
  const passThrough = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
    'HOME',
  ];
  const credentials: Record<string, string> = Object.values(real).some(Boolean)
    ? Object.fromEntries(passThrough.flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])))
    : {
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      };
  const endpoint = (variable: string, key: string) =>
    endpoints[key] ? { [variable]: endpoints[key] as string } : {};
  return {
    AWS_REGION: env.AWS_REGION ?? LOCAL_REGION,
    AWS_DEFAULT_REGION: env.AWS_REGION ?? LOCAL_REGION,
    ...credentials,
    ...endpoint('AWS_ENDPOINT_URL_KINESIS', 'kinesis'),
    ...endpoint('AWS_ENDPOINT_URL_DYNAMODB', 'dynamodb'),
    ...endpoint('AWS_ENDPOINT_URL_S3', 's3'),
    ...endpoint('AWS_ENDPOINT_URL_SFN', 'sfn'),
    ...endpoint('AWS_ENDPOINT_URL_EVENTBRIDGE', 'eventbridge'),
    ...endpoint('AWS_ENDPOINT_URL_SNS', 'sns'),
    ...endpoint('AWS_ENDPOINT_URL_ROUTE_53', 'route53'),
    ...(endpoints.opensearch
      ? { OPENSEARCH_ENDPOINT: endpoints.opensearch }
      : env.OPENSEARCH_ENDPOINT
        ? { OPENSEARCH_ENDPOINT: env.OPENSEARCH_ENDPOINT }
        : {}),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    POWERTOOLS_LOG_LEVEL: logLevel,
    POWERTOOLS_LOGGER_SAMPLE_RATE: '0',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    // Lambda runs Node 22; the SDK's notice about Node 20 concerns this machine, not the function.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A function's variables: the template's (resolved), shell overrides, the shared ones, its secrets. */
function functionEnv(fn: LocalFunction, env: NodeJS.ProcessEnv, shared: Record<string, string>) {
  const overrides = Object.fromEntries(
    Object.keys(fn.environment).flatMap((name) =>
      !RESERVED.test(name) && env[name] !== undefined && env[name] !== ''
        ? [[name, env[name] as string]]
        : [],
    ),
  );
  // Functions that read Secrets Manager when deployed get WEBHOOK_SECRET_<SOURCE> variables instead.
  const variables =
    (fn.resource.Properties?.Environment as { Variables?: object } | undefined)?.Variables ?? {};
  const secrets: Record<string, string> = {};
  if ('WEBHOOK_SECRET_ARN' in variables) {
    for (const source of SOURCE_IDS) {
      const name = `WEBHOOK_SECRET_${source.toUpperCase()}`;
      secrets[name] = localSecret(source, env);
      const previous = env[`${name}_PREVIOUS`];
      if (previous) secrets[`${name}_PREVIOUS`] = previous;
    }
  }
  return { ...fn.environment, ...overrides, ...shared, ...secrets };
}
