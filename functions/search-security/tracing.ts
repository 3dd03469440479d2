// Shipped beside handler.js and loaded only where tracing is on (see ../lib/observability.ts).
export * from '../lib/tracing';
