import { SQSClient } from '@aws-sdk/client-sqs';
import { traced } from '../observability';

export const sqsClient = traced(new SQSClient({}));
