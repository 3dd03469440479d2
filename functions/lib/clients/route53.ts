import { Route53Client } from '@aws-sdk/client-route-53';
import { traced } from '../observability';

export const route53Client = traced(new Route53Client({}));
