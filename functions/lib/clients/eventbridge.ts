import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { traced } from '../observability';

export const eventbridgeClient = traced(new EventBridgeClient({}));
