// The parts of the S3 SDK this project uses; loaded lazily by ./s3, so only these are bundled.
export { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
