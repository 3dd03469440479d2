import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ActivityFeed } from './activity';
import { startApiGateway, templateGatewayResponses } from './api-gateway';
import { CheckpointStore } from './checkpoints';
import { requestRecord } from './console/record';
import { consoleRoutes } from './console/server';
import { DeliveryStore } from './console/store';
import { emulatorKinesisClient, startEmulators } from './emulators';
import { KinesisEventSourceMapping, type MappingSettings } from './event-source-mapping';
import type { RunningFake } from './fakes/aws-json';
import { eventBridgeSink, startEventBridgeFake } from './fakes/eventbridge';
import { type RunningOpenSearchFake, startOpenSearchFake } from './fakes/opensearch';
import { localDnsZone, type RecordSet, startRoute53Fake } from './fakes/route53';
import { startSnsFake } from './fakes/sns';
import { startStepFunctionsFake } from './fakes/stepfunctions';
import { functionSpecs, localResolveOptions, realServices } from './function-config';
import { startLakeWriter } from './lake';
import { localDir as defaultLocalDir, LOCAL_ARNS, LOCAL_NAMES, LOCAL_REGION, localPaths } from './names';
import { onAppend } from './ndjson';
import { ROUTER_DEFINITION_PATH, type StepHandler, taskStates } from './run-workflow';
import { snapshotBundle } from './runtime/bundles';
import { type InvokeOutcome, LocalLambda } from './runtime/lambda';
import { loadTemplate, type Template } from './template';
import { definitionSubstitutions, resolveTemplateValue } from './template-env';

export interface LocalPipelineOptions {
  /** Port of the API Gateway player; 0 picks a free one. Default PORT or 3000. */
  port?: number;
  /** Where all state lives. Default LOCAL_DIR or .local */
  localDir?: string;
  /** The shell environment: secrets, real-service settings, overrides of function variables. */
  env?: NodeJS.ProcessEnv;
  /** POWERTOOLS_LOG_LEVEL of every function. Default LOG_LEVEL or WARN. */
  logLevel?: string;
  /** Execution environments per function at most. Default 4. */
  functionConcurrency?: number;
  /** Start one execution environment per function up front, so the first event meets no cold start. */
  warm?: boolean;
  /** Keep Kinesis and DynamoDB data on disk across restarts. Default true. */
  persist?: boolean;
  /** Run the stream consumers (event source mapping, lake writer). Default true; `npm run invoke` says false. */
  consume?: boolean;
  /** Overrides of the template's event source mapping settings (tests use small retries and windows). */
  mapping?: Partial<MappingSettings>;
  pollIntervalMs?: number;
  /** Fixed pause before the workflow's retries instead of the definition's backoff. */
  workflowRetryDelayMs?: number;
  /** Function log lines (stdout/stderr of each function). Default: dropped. */
  onFunctionLog?: (logicalId: string, line: string) => void;
  /** Readable lines, one per event as it moves through the pipeline. Default: none. */
  onActivity?: (line: string) => void;
  /** Problems of the pipeline itself (a poller that cannot reach the stream...). Default: console.error */
  onError?: (error: unknown) => void;
  /** Endpoints the functions are given instead of the emulators' own (the cost benchmark counts requests). */
  functionEndpoints?: (endpoints: Record<string, string>) => Promise<Record<string, string>>;
}

export interface LocalPipeline {
  /** Base URL of the API: POST <url>/webhooks/<source>. */
  url: string;
  localDir: string;
  /** Where each emulator and fake listens (kinesis, dynamodb, s3, sfn, eventbridge, ...). */
  endpoints: Record<string, string>;
  functions: Record<string, LocalLambda>;
  /** Invokes one function like `aws lambda invoke`. */
  invoke(logicalId: string, event: unknown): Promise<InvokeOutcome>;
  stop(): Promise<void>;
}

function mappingSettings(template: Template, overrides: Partial<MappingSettings>): MappingSettings {
  const dispatcher = template.Resources.DispatcherFunction?.Properties ?? {};
  const events = (dispatcher.Events ?? {}) as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const kinesis = Object.values(events).find((event) => event.Type === 'Kinesis');
  if (!kinesis) throw new Error('template: DispatcherFunction has no Kinesis event');
  const props = resolveTemplateValue(kinesis.Properties, template) as Record<string, unknown>;
  return {
    batchSize: Number(props.BatchSize ?? 100),
    maximumBatchingWindowSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
    maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
    maximumRecordAgeSeconds: Number(props.MaximumRecordAgeInSeconds ?? -1),
    bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
    reportBatchItemFailures: ((props.FunctionResponseTypes ?? []) as string[]).includes(
      'ReportBatchItemFailures',
    ),
    ...overrides,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Endpoints of a pipeline running on this directory (its endpoints.json), if its process still lives. */
export function runningPipeline(dir: string): Record<string, string> | undefined {
  try {
    const state = JSON.parse(readFileSync(localPaths(dir).endpoints, 'utf8')) as Record<string, string>;
    return isAlive(Number(state.pid)) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The whole pipeline on this machine: the emulators, the fakes, each function's bundle in its own worker
 * threads, the Step Functions workflow, the API Gateway player, the Kinesis event source mapping and the
 * lake writer. See README, "Local pipeline".
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const env = options.env ?? process.env;
  const dir = defaultLocalDir(options.localDir ?? env.LOCAL_DIR);
  const paths = localPaths(dir);
  mkdirSync(dir, { recursive: true });
  const other = runningPipeline(dir);
  if (other) throw new Error(`a local pipeline (pid ${other.pid}) already runs on ${dir} at ${other.url}`);
  const onError = options.onError ?? ((error: unknown) => console.error('local pipeline:', error));
  const real = realServices(env);
  const template = loadTemplate();
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(onError);
  };

  try {
    const emulators = await startEmulators({ dir, persist: options.persist ?? true });
    closers.push(() => emulators.close());
    if (!emulators.persisted.kinesis) {
      // A stream kept in memory starts empty: positions saved against an earlier stream mean nothing.
      rmSync(paths.checkpoints, { force: true });
      rmSync(paths.lakeCheckpoints, { force: true });
      if (options.persist ?? true)
        onError(new Error('LevelDB did not load: the local stream lives in memory'));
    }
    const endpoints: Record<string, string> = { ...emulators.endpoints };

    // What the console and the activity lines are told as the pipeline records it: the store is loaded
    // once from earlier runs, then kept current by each appended line, document and zone change.
    const store = new DeliveryStore(dir);
    await store.load();
    const refusals = new RefusalReasons(store);
    let feed: ActivityFeed | undefined;
    if (options.onActivity) {
      const definition = JSON.parse(readFileSync(ROUTER_DEFINITION_PATH, 'utf8')) as {
        States: Record<string, unknown>;
      };
      feed = new ActivityFeed(dir, options.onActivity, new Set(taskStates(definition).keys()));
    }
    const unsubscribe = onAppend((path, value) => {
      if (!path.startsWith(`${dir}/`)) return;
      store.apply(path, value);
      feed?.appended(path, value);
    });
    closers.push(async () => void unsubscribe());
    let search: RunningOpenSearchFake | undefined;
    const zone = localDnsZone(env);
    const fakes: [string, boolean, (localDir: string) => Promise<RunningFake>][] = [
      [
        'opensearch',
        real.opensearch,
        async (localDir) => {
          search = await startOpenSearchFake(localDir, {
            onDocument: (document) => feed?.indexed(document),
          });
          return search;
        },
      ],
      [
        'route53',
        real.route53,
        (localDir) =>
          startRoute53Fake(localDir, {
            ...zone,
            onChange: (change: { action: string; record: RecordSet }) => feed?.route53(zone.zoneName, change),
          }),
      ],
      ['sns', real.sns, startSnsFake],
      ['eventbridge', real.eventbridge, startEventBridgeFake],
    ];
    for (const [service, isReal, start] of fakes) {
      if (isReal) continue;
      const fake = await start(dir);
      closers.push(() => fake.close());
      endpoints[service] = fake.url;
    }

    // The workflow's Task states call the functions, which exist only once the workflow's endpoint is
    // known (the dispatcher's environment holds it): the handlers look the functions up when called.
    const functions: Record<string, LocalLambda> = {};
    const required = (logicalId: string): LocalLambda => {
      const fn = functions[logicalId];
      if (!fn) throw new Error(`template.yaml has no function ${logicalId}`);
      return fn;
    };
    // A configured real bus is called through the SDK with the shell's credentials.
    const eventbridge = new EventBridgeClient({ region: env.AWS_REGION ?? LOCAL_REGION });
    closers.push(async () => eventbridge.destroy());
    const stepHandlers: Record<string, StepHandler> = {};
    const functionIds = Object.entries(template.Resources).flatMap(([id, resource]) =>
      resource.Type === 'AWS::Serverless::Function' ? [id] : [],
    );
    for (const logicalId of functionIds) {
      stepHandlers[logicalId] = async (event) => {
        const outcome = await required(logicalId).invoke(event);
        if (outcome.ok) return outcome.payload;
        const error = new Error(outcome.error.errorMessage);
        error.name = outcome.error.errorType;
        throw error;
      };
    }
    const sfn = await startStepFunctionsFake({
      localDir: dir,
      substitutions: definitionSubstitutions('RouterStateMachine', template, localResolveOptions(env)),
      bindings: {
        functions: stepHandlers,
        putEvents: real.eventbridge
          ? async (request) => {
              const result = await eventbridge.send(new PutEventsCommand(request));
              return { Entries: result.Entries ?? [], FailedEntryCount: result.FailedEntryCount ?? 0 };
            }
          : eventBridgeSink(dir),
      },
      ...(options.workflowRetryDelayMs !== undefined && { retryDelayMs: options.workflowRetryDelayMs }),
    });
    closers.push(() => sfn.close());
    endpoints.sfn = sfn.url;

    const specs = functionSpecs({
      env,
      endpoints: options.functionEndpoints ? await options.functionEndpoints({ ...endpoints }) : endpoints,
      template,
      logLevel: (options.logLevel ?? env.LOG_LEVEL ?? 'WARN').toUpperCase(),
      maxConcurrency: options.functionConcurrency ?? 4,
      onLog: (logicalId, line) => {
        if (logicalId === 'AuthorizerFunction') refusals.logged(line);
        options.onFunctionLog?.(logicalId, line);
      },
    });
    // The functions on the local path: the API's, the stream consumer and the workflow's steps.
    const definitionText = readFileSync(ROUTER_DEFINITION_PATH, 'utf8');
    const onPath = new Set([
      'AuthorizerFunction',
      'IngestFunction',
      'DispatcherFunction',
      ...[...definitionText.matchAll(/\$\{(\w+Function)Arn\}/g)].map((match) => match[1] as string),
    ]);
    for (const spec of specs) {
      if (existsSync(spec.handlerPath)) {
        spec.handlerPath = snapshotBundle(spec.handlerPath, join(paths.functions, spec.logicalId));
      } else if (onPath.has(spec.logicalId)) {
        throw new Error(`${spec.handlerPath} does not exist: run npm run build`);
      }
      const lambda = new LocalLambda(spec);
      functions[spec.logicalId] = lambda;
      closers.push(() => lambda.close());
      if (options.warm && onPath.has(spec.logicalId)) lambda.warm();
    }

    if (options.consume ?? true) {
      const kinesis = emulatorKinesisClient(emulators.endpoints.kinesis);
      closers.push(async () => kinesis.destroy());
      const mapping = new KinesisEventSourceMapping({
        kinesis,
        streamName: LOCAL_NAMES.stream,
        streamArn: LOCAL_ARNS.stream,
        functionArn: LOCAL_ARNS.function(required('DispatcherFunction').spec.functionName),
        settings: mappingSettings(template, options.mapping ?? {}),
        invoke: (event) => required('DispatcherFunction').invoke(event),
        checkpoints: new CheckpointStore(paths.checkpoints),
        deadLetterFile: paths.deadLetters,
        ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
        onError,
      });
      mapping.start();
      closers.push(() => mapping.stop());
      // The Firehose delivery stream's stand-in: archives the stream into the local lake bucket.
      const lake = startLakeWriter({
        kinesisEndpoint: emulators.endpoints.kinesis,
        s3Endpoint: emulators.endpoints.s3,
        checkpointPath: paths.lakeCheckpoints,
        onError,
      });
      closers.push(() => lake.stop());
    }

    const consoleServer = consoleRoutes({
      store,
      dir,
      apiUrl: () => endpoints.api as string,
      endpoints,
      env,
      ...(search && { documents: () => (search as RunningOpenSearchFake).documents() }),
    });
    const stage = template.Parameters.Stage?.Default;
    const api = await startApiGateway({
      authorizer: required('AuthorizerFunction'),
      ingest: required('IngestFunction'),
      port: options.port ?? Number(env.PORT ?? 3000),
      stage: typeof stage === 'string' ? stage : 'dev',
      gatewayResponses: templateGatewayResponses(template.Resources.WebhookApi?.Properties),
      binaryMediaTypes:
        (template.Resources.WebhookApi?.Properties?.BinaryMediaTypes as string[] | undefined) ?? [],
      onIntegrationError: onError,
      onResponse: (answered) => {
        const reason = answered.reason ?? refusals.take(answered.requestId, answered.status);
        feed?.accepted({ ...answered, ...(reason && { reason }) });
        store.record(requestRecord({ ...answered, ...(reason && { reason }) })).catch(onError);
      },
      otherRoutes: consoleServer.handle,
    });
    closers.push(() => api.close());
    // Closed before the API (closers run in reverse): open event streams would hold its close.
    closers.push(async () => consoleServer.close());
    endpoints.api = api.url;

    const state = {
      pid: String(process.pid),
      url: api.url,
      ...endpoints,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(paths.endpoints, `${JSON.stringify(state, null, 2)}\n`);
    closers.push(async () => rmSync(paths.endpoints, { force: true }));

    return {
      url: api.url,
      localDir: dir,
      endpoints,
      functions,
      invoke: (logicalId, event) => required(logicalId).invoke(event),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A 401 cannot carry a reason (API Gateway answers it for a thrown "Unauthorized"), so the authorizer
 * logs it with the request id; this matches those log lines to the recorded requests, whichever of the
 * two arrives first.
 */
class RefusalReasons {
  private readonly early = new Map<string, string>();
  private readonly waiting = new Set<string>();

  constructor(private readonly store: DeliveryStore) {}

  logged(line: string): void {
    let entry: { message?: unknown; reason?: unknown; requestId?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (typeof entry.requestId !== 'string' || typeof entry.reason !== 'string') return;
    if (entry.message !== 'webhook unauthorized' && entry.message !== 'webhook denied') return;
    if (this.waiting.delete(entry.requestId)) {
      this.store.amend(entry.requestId, entry.reason).catch(() => undefined);
      return;
    }
    this.early.set(entry.requestId, entry.reason);
    // Bounded: a line whose request is never recorded must not stay for ever.
    if (this.early.size > 1000) this.early.delete(this.early.keys().next().value as string);
  }

  /** The reason already logged for this request, or undefined (then a later log line amends it). */
  take(requestId: string, status: number): string | undefined {
    const reason = this.early.get(requestId);
    this.early.delete(requestId);
    if (reason === undefined && status === 401) {
      this.waiting.add(requestId);
      if (this.waiting.size > 1000) this.waiting.delete(this.waiting.values().next().value as string);
    }
    return reason;
  }
}
