import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { traced } from '../observability';

export const dynamodbClient = traced(new DynamoDBClient({}));
