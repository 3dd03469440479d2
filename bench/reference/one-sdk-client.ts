import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

// A reference for the cold-start benchmark: one AWS SDK client built at load, as the functions build theirs,
// and nothing else. Bundled with a function's exact build settings, it shows what the SDK alone costs.
export const client = new DynamoDBClient({});
