/** Names shared by the fleet bench's runner and its two processes. */
export const BENCH_ENROLMENT_TOKEN = 'bench-enrolment-token';
export const BENCH_ACCOUNT = 'acc_bench';
export const BENCH_SENDER = 'Bench';
