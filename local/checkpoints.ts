import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The event source mapping's position in each shard: the sequence number of the last record whose batch
 * is finished (processed, or given up on and sent to the dead-letter file). Saved after every batch with
 * a write-then-rename, so a crash leaves either the old or the new file, never half of one.
 */
export class CheckpointStore {
  private readonly positions: Record<string, string>;

  constructor(private readonly path: string) {
    this.positions = CheckpointStore.read(path);
  }

  private static read(path: string): Record<string, string> {
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as { shards?: Record<string, string> };
      return { ...parsed.shards };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${path} is not a checkpoint file: ${(error as Error).message}`);
    }
  }

  /** Key of a shard: stream name and shard id, so one file serves any stream. */
  static key(stream: string, shardId: string): string {
    return `${stream}/${shardId}`;
  }

  get(key: string): string | undefined {
    return this.positions[key];
  }

  set(key: string, sequenceNumber: string): void {
    this.positions[key] = sequenceNumber;
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ shards: this.positions }, null, 2)}\n`);
    renameSync(temporary, this.path);
  }
}
