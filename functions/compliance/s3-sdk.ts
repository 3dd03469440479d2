// Shipped beside handler.js and loaded on the first claim-checked body (see ../lib/clients/s3.ts).
export * from '../lib/clients/s3-sdk';
