import { FirehoseClient } from '@aws-sdk/client-firehose';
import { tracer } from '../observability';

export const firehoseClient = tracer.captureAWSv3Client(new FirehoseClient({}));
