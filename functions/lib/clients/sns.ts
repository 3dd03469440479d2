import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from '../observability';

export const snsClient = tracer.captureAWSv3Client(new SNSClient({}));
