import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../observability';

export const dynamodbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** The same client, converting items to and from plain objects. */
export const dynamodbDocumentClient = DynamoDBDocumentClient.from(dynamodbClient);
