/**
 * Mean CPU time (user + system) per call in microseconds, over at least `minCalls` calls and
 * `minCpuMicros` of CPU, after warming up for `warmUpCpuMicros` of CPU: long enough for V8 to have
 * compiled the hot code, so the figure is the steady state of a busy execution environment (what costs
 * money per request), not the first calls' interpreting and compiling, which the cold-start benchmark
 * counts. CPU time rather than wall time: this machine is shared, and other processes' load does not
 * count against ours.
 */
export async function cpuMicrosPerCall(
  call: () => unknown,
  { warmUpCpuMicros = 200_000, minCalls = 5, minCpuMicros = 300_000 } = {},
): Promise<number> {
  await spendCpu(call, warmUpCpuMicros, 3);
  return spendCpu(call, minCpuMicros, minCalls);
}

/** Calls `call` until it has used `cpuMicros` of CPU over at least `minCalls` calls; the mean per call. */
async function spendCpu(call: () => unknown, cpuMicros: number, minCalls: number): Promise<number> {
  let calls = 0;
  const start = process.cpuUsage();
  let used = process.cpuUsage(start);
  while (calls < minCalls || used.user + used.system < cpuMicros) {
    await call();
    calls += 1;
    used = process.cpuUsage(start);
  }
  return (used.user + used.system) / calls;
}
