import { join } from 'node:path';
import type { SourceId } from '../functions/lib/sources';
import type { SenderHints } from '../functions/lib/sources/types';

const sourcesDir = join(__dirname, '..', 'functions', 'lib', 'sources');

/**
 * The sending side's hints of a source (development secret, user agent, sample delivery, event guess),
 * exported as `sender` by the source's own module, `functions/lib/sources/<id>.ts`. Loaded by id rather
 * than imported by the list of sources, so the functions' bundles never carry them.
 */
export function senderHints(source: SourceId): SenderHints {
  const module = require(join(sourcesDir, source)) as { sender?: SenderHints };
  if (!module.sender) throw new Error(`functions/lib/sources/${source}.ts exports no sender hints`);
  return module.sender;
}
