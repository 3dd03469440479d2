import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../observability';

export const sfnClient = tracer.captureAWSv3Client(new SFNClient({}));
