import { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../observability';

export const s3Client = traced(new S3Client({}));
