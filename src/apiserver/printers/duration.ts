// AGE and the other "time since" cells: apimachinery's HumanDuration (pkg/util/duration), which
// keeps two or three significant figures, and the printers' rule that a missing timestamp prints
// as <unknown>.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/**
 * Format an elapsed time the way `kubectl get` shows ages: "59s", "119s", "2m", "9m59s",
 * "179m", "3h1m", "47h", "2d1h", "729d", "2y1d", "8y". A skew of up to 2s into the future
 * reads as "0s"; anything further back in time than that is "<invalid>".
 */
export function humanDuration(ms: number): string {
  if (Number.isNaN(ms)) return '<invalid>';
  // Whole units, truncated toward zero as Go's integer conversions do.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 8 * 24) return withRest(days, 'd', hours % 24, 'h');
  if (ms < 2 * YEAR) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (ms < 8 * YEAR) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRest(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** Milliseconds since the epoch of a metav1.Time / MicroTime field, or undefined when unset. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** The time elapsed since a timestamp field, "<unknown>" when the field is unset. */
export function since(timestamp: unknown, now: Date): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** The AGE cell of any object: time since metadata.creationTimestamp. */
export function age(obj: { metadata: { creationTimestamp?: string } }, now: Date): string {
  return since(obj.metadata.creationTimestamp, now);
}
