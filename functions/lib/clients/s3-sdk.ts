// The parts of the S3 SDK this project uses, loaded on first use by ./s3. Each function that needs it ships
// it as an entry point of its own (s3-sdk.js beside handler.js), so only these are bundled there.
export { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
