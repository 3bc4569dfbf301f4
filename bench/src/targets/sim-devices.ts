/**
 * Simulated devices in the gateway targets. By default none: the benchmark measures the
 * accept path, and in a single process the devices' delivery work (jobs, statuses,
 * callbacks on the same database) would compete with it and measure the device pace
 * instead. `BENCH_SIM_DEVICES=3` runs the targets as `npm start` does.
 */
export function simDevices(): number {
  const value = Number(process.env.BENCH_SIM_DEVICES ?? 0);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}
