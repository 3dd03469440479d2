/**
 * Mean CPU time (user + system) per call in microseconds, after a few warm-up calls, over at least
 * `minCalls` calls and `minCpuMicros` of CPU. CPU time rather than wall time: this machine is shared, and
 * other processes' load does not count against ours.
 */
export async function cpuMicrosPerCall(
  call: () => unknown,
  { warmUp = 3, minCalls = 5, minCpuMicros = 300_000 } = {},
): Promise<number> {
  for (let warm = 0; warm < warmUp; warm += 1) await call();
  let calls = 0;
  const start = process.cpuUsage();
  let used = process.cpuUsage(start);
  while (calls < minCalls || used.user + used.system < minCpuMicros) {
    await call();
    calls += 1;
    used = process.cpuUsage(start);
  }
  return (used.user + used.system) / calls;
}
