import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '../observability';

export const sqsClient = tracer.captureAWSv3Client(new SQSClient({}));
