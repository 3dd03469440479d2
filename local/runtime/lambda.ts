import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { LOCAL_ARNS } from '../names';

/** The error shape Lambda reports for a failed invocation (`FunctionError: Unhandled`). */
export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** How long the handler ran, and how much of that its thread was busy rather than waiting. */
export interface InvokeStats {
  durationMs: number;
  activeMs: number;
}

export type InvokeOutcome = ({ ok: true; payload: unknown } | { ok: false; error: LambdaError }) & {
  stats?: InvokeStats;
};

export interface FunctionSpec {
  logicalId: string;
  functionName: string;
  /** dist/<LogicalId>/handler.js */
  handlerPath: string;
  handlerExport: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
  /** Execution environments run side by side at most (Lambda's concurrency, scaled to a laptop). */
  maxConcurrency: number;
  /** Each line a function writes to stdout/stderr (its logs). */
  onLog?: (logicalId: string, line: string) => void;
}

interface Environment {
  worker: Worker;
  busy: boolean;
  /** Settles the invocation running in this environment when the worker dies under it. */
  abort?: (error: LambdaError) => void;
}

interface Pending {
  event: string;
  resolve: (outcome: InvokeOutcome) => void;
}

const workerScript = join(__dirname, 'worker.cjs');

/**
 * One function of the template, run like Lambda runs it: each execution environment is a worker thread
 * with its own environment variables and module scope (so clients and config are created at its cold
 * start), it handles one invocation at a time, more are started up to `maxConcurrency`, and an
 * invocation that runs past the function's timeout kills its environment.
 */
export class LocalLambda {
  private readonly environments = new Set<Environment>();
  private readonly queue: Pending[] = [];
  private closed = false;
  invocations = 0;

  constructor(readonly spec: FunctionSpec) {}

  /** Whether the function's bundle is there (`npm run build` writes it). */
  get built(): boolean {
    return existsSync(this.spec.handlerPath);
  }

  /** Starts an execution environment now (its cold start) if there is none yet. */
  warm(): void {
    if (!this.closed && this.built && this.environments.size === 0) this.spawn();
  }

  invoke(event: unknown): Promise<InvokeOutcome> {
    if (this.closed) return Promise.resolve(failure('Runtime.Stopped', `${this.spec.logicalId} is stopped`));
    if (!this.built) {
      return Promise.resolve(
        failure('Runtime.ImportModuleError', `${this.spec.handlerPath} does not exist: run npm run build`),
      );
    }
    return new Promise((resolve) => {
      this.queue.push({ event: JSON.stringify(event ?? null), resolve });
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const environment = this.idleEnvironment();
      if (!environment) return;
      const pending = this.queue.shift() as Pending;
      void this.run(environment, pending);
    }
  }

  private idleEnvironment(): Environment | undefined {
    for (const environment of this.environments) if (!environment.busy) return environment;
    if (this.environments.size >= this.spec.maxConcurrency) return undefined;
    return this.spawn();
  }

  private spawn(): Environment {
    const { spec } = this;
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
    const logGroupName = `/aws/lambda/${spec.functionName}`;
    const worker = new Worker(workerScript, {
      env: {
        ...spec.environment,
        AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
        AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        LAMBDA_TASK_ROOT: join(spec.handlerPath, '..'),
        _HANDLER: `handler.${spec.handlerExport}`,
      },
      workerData: {
        handlerPath: spec.handlerPath,
        handlerExport: spec.handlerExport,
        functionName: spec.functionName,
        memorySize: spec.memorySize,
        invokedFunctionArn: LOCAL_ARNS.function(spec.functionName),
        logGroupName,
        logStreamName,
      },
      // Lambda's memory setting bounds the whole environment; the heap limit is the nearest local knob.
      resourceLimits: { maxOldGenerationSizeMb: spec.memorySize },
      stdout: true,
      stderr: true,
    });
    const environment: Environment = { worker, busy: false };
    for (const stream of [worker.stdout, worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => spec.onLog?.(spec.logicalId, line));
    }
    const died = (reason: string) => {
      if (!this.environments.delete(environment)) return;
      environment.abort?.({ errorType: 'Runtime.ExitError', errorMessage: reason });
      this.drain();
    };
    worker.on('error', (error) => died(`execution environment failed: ${error.message}`));
    worker.on('exit', (code) => died(`execution environment exited with code ${code}`));
    this.environments.add(environment);
    return environment;
  }

  private run(environment: Environment, pending: Pending): Promise<void> {
    const { worker } = environment;
    const requestId = randomUUID();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    environment.busy = true;
    this.invocations += 1;
    return new Promise<void>((done) => {
      const settle = (outcome: InvokeOutcome) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        environment.busy = false;
        environment.abort = undefined;
        pending.resolve(outcome);
        done();
        this.drain();
      };
      const onMessage = (message: {
        id: string;
        payload?: string;
        error?: LambdaError;
        stats?: InvokeStats;
      }) => {
        if (message.id !== requestId) return;
        const stats = message.stats ? { stats: message.stats } : {};
        settle(
          message.error
            ? { ok: false, error: message.error, ...stats }
            : { ok: true, payload: JSON.parse(message.payload ?? 'null'), ...stats },
        );
      };
      const timer = setTimeout(() => {
        // Lambda freezes and discards an environment whose invocation timed out.
        this.environments.delete(environment);
        void worker.terminate();
        settle(
          failure(
            'Sandbox.Timedout',
            `${requestId} Task timed out after ${this.spec.timeoutSeconds}.00 seconds`,
          ),
        );
      }, timeoutMs);
      environment.abort = (error) => settle({ ok: false, error });
      worker.on('message', onMessage);
      worker.postMessage({
        id: requestId,
        requestId,
        deadline: Date.now() + timeoutMs,
        event: pending.event,
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.resolve(failure('Runtime.Stopped', `${this.spec.logicalId} is stopped`));
    }
    const environments = [...this.environments];
    this.environments.clear();
    for (const environment of environments) {
      environment.abort?.({
        errorType: 'Runtime.Stopped',
        errorMessage: `${this.spec.logicalId} is stopped`,
      });
    }
    await Promise.all(environments.map(({ worker }) => worker.terminate()));
  }
}

function failure(errorType: string, errorMessage: string): InvokeOutcome {
  return { ok: false, error: { errorType, errorMessage } };
}
