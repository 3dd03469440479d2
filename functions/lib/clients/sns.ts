import { SNSClient } from '@aws-sdk/client-sns';
import { traced } from '../observability';

export const snsClient = traced(new SNSClient({}));
