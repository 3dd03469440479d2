import { existsSync } from 'node:fs';

/** Debian's `chromium` package; `.ci/run` installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests can run. With CI=true they must: a missing Chromium fails the run instead of
 * skipping it. Elsewhere they skip with a message saying how to enable them.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing and CI=true: install Debian's chromium package (see .ci/run)`);
  }
  console.warn(
    `browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium to run them; CI=true requires it)`,
  );
  return false;
}
