import { FirehoseClient } from '@aws-sdk/client-firehose';
import { traced } from '../observability';

export const firehoseClient = traced(new FirehoseClient({}));
