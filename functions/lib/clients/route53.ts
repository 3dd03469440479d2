import { Route53Client } from '@aws-sdk/client-route-53';
import { tracer } from '../observability';

export const route53Client = tracer.captureAWSv3Client(new Route53Client({}));
