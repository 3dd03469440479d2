'use strict';
/**
 * One Lambda execution environment: loads a function bundle once (its cold start) and runs the
 * invocations the host sends, one at a time, with a Lambda-shaped context. Plain CommonJS so it runs in a
 * worker thread under tsx, jest and plain node alike. Events and results cross as JSON text, as they do
 * through the Lambda runtime API.
 */
const { performance } = require('node:perf_hooks');
const { parentPort, workerData } = require('node:worker_threads');

if (/--enable-source-maps/.test(process.env.NODE_OPTIONS || '')) process.setSourceMapsEnabled(true);

function describeError(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : fallbackType,
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: fallbackType, errorMessage: String(error), trace: [] };
}

let handler;
let initError;
try {
  const bundle = require(workerData.handlerPath);
  handler = bundle[workerData.handlerExport];
  if (typeof handler !== 'function') {
    initError = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${workerData.handlerPath}.${workerData.handlerExport} is undefined or not exported`,
      trace: [],
    };
  }
} catch (error) {
  initError = describeError(error, 'Runtime.ImportModuleError');
}

function contextFor(message) {
  const { functionName, memorySize, logGroupName, logStreamName, invokedFunctionArn } = workerData;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn,
    memoryLimitInMB: String(memorySize),
    awsRequestId: message.requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function run(event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
}

parentPort.on('message', async (message) => {
  if (initError) {
    parentPort.postMessage({ id: message.id, error: initError });
    return;
  }
  // What Lambda would bill (the handler's duration) and how much of it this thread was busy (CPU-bound).
  const started = performance.now();
  const busy = performance.eventLoopUtilization();
  const stats = () => ({
    durationMs: performance.now() - started,
    activeMs: performance.eventLoopUtilization(busy).active,
  });
  try {
    const result = await run(JSON.parse(message.event), contextFor(message));
    const payload = JSON.stringify(result === undefined ? null : result);
    parentPort.postMessage({ id: message.id, payload, stats: stats() });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: describeError(error, 'Error'), stats: stats() });
  }
});
