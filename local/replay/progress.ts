/**
 * A one-line progress bar on stderr. Hand-rolled: it is a dozen lines, and a terminal library would be a
 * dependency for one line. On a terminal it redraws in place at most every 100 ms; elsewhere (CI, a
 * pipe) it prints only the line each finished step passes to `done`.
 */
export interface Progress {
  update(state: ProgressState): void;
  done(line: string): void;
}

export interface ProgressState {
  label: string;
  completed: number;
  total: number;
  put: number;
  failed: number;
}

const WIDTH = 24;

export function renderBar({ label, completed, total, put, failed }: ProgressState): string {
  const ratio = total === 0 ? 1 : Math.min(completed / total, 1);
  const filled = Math.round(ratio * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  return `${label} [${bar}] ${Math.round(ratio * 100)}% ${completed}/${total} | put ${put} | failed ${failed}`;
}

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true;
  let lastDraw = 0;
  return {
    update(state) {
      if (!interactive) return;
      const now = Date.now();
      if (now - lastDraw < 100 && state.completed < state.total) return;
      lastDraw = now;
      stream.write(`\r\x1b[K${renderBar(state)}`);
    },
    done(line) {
      stream.write(interactive ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
}

export const silentProgress: Progress = { update() {}, done() {} };
