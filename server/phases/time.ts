/** Go's time.Time JSON form (RFC 3339, up to nanoseconds) -> µs since the Unix epoch, or null. */
export function goTimeUs(s: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return null;
  const secondsMs = Date.parse(m[1] + m[3]);
  if (Number.isNaN(secondsMs)) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return secondsMs * 1000 + Number(frac.slice(0, 6)) + Number(frac.slice(6)) / 1000;
}

/** Rounds milliseconds to whole microseconds. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
