import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tracer } from '../observability';

export const dynamodbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));
