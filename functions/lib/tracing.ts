// The Powertools tracer, which loads the X-Ray SDK. Each function ships it as a file of its own beside its
// handler (an esbuild entry point of its own, see functions/lib/observability.ts), loaded only where tracing is on.
export { Tracer } from '@aws-lambda-powertools/tracer';
export { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
