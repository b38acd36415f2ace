/** Latency buckets for LLM calls, seconds: from 10 ms to 10 minutes. */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

/** Backoff buckets, seconds: the SDK's 0.5-8 s steps and retry-after waits of up to a minute and more. */
export const BACKOFF_BUCKETS = [0.1, 0.25, 0.5, 0.75, 1, 2, 4, 8, 16, 30, 60, 120, 300];

/** Governor wait buckets, seconds: most attempts wait nothing; a retry-after pause can hold them a minute. */
export const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
