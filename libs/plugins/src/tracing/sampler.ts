// Kong's trace-id based probability sampler: the same trace id always gets the same decision, so every hop that
// samples at the same rate agrees.

/** rate >= 1 samples all, <= 0 none; otherwise the trace id's first 8 bytes (as a fraction of 2^64) below rate. */
export function sampleTrace(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const high = parseInt(traceId.slice(0, 8), 16);
  const low = parseInt(traceId.slice(8, 16), 16);
  return (high * 4294967296 + low) / 18446744073709551616 < rate;
}
