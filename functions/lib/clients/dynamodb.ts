import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../observability';

export const dynamodbClient = traced(new DynamoDBClient({}));

/** The same client, converting items to and from plain objects. */
export const dynamodbDocumentClient = DynamoDBDocumentClient.from(dynamodbClient);
