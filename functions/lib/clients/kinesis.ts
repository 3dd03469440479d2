import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { traced } from '../observability';

// The Kinesis client defaults to an HTTP/2 handler (for SubscribeToShard); this pipeline only puts and
// reads records, which HTTP/1.1 serves equally well and which kinesalite also speaks.
export const kinesisClient = traced(new KinesisClient({ requestHandler: new NodeHttpHandler() }));
