/** One request as an access log records it. */
export interface AccessRecord {
  /** Epoch milliseconds; null where the format logs no time (uvicorn's default). */
  readonly time: number | null;
  readonly method: string;
  /** The path without its query string. */
  readonly route: string;
  readonly status: number;
  /** Response body bytes; null where not logged. */
  readonly bytes: number | null;
  /** Null where not logged (nginx's `combined` without a trailing `$request_time`). */
  readonly latencyMs: number | null;
}

export type AccessLogFormat = 'combined' | 'uvicorn' | 'json';
export const ACCESS_LOG_FORMATS = ['auto', 'combined', 'uvicorn', 'json'] as const;

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

// Lines of one second share their time text; parsing it once per second keeps the hot loop cheap.
let lastTimeText = '';
let lastTimeValue: number | null = null;

/** nginx's `$time_local` (`10/Oct/2000:13:55:36 -0700`) as epoch milliseconds, or null. */
export function parseTimeLocal(text: string): number | null {
  if (text === lastTimeText) return lastTimeValue;
  let value: number | null = null;
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = m ? MONTHS[m[2]!] : undefined;
  if (m && month !== undefined) {
    const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
    value = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offsetMin * 60_000;
  }
  lastTimeText = text;
  lastTimeValue = value;
  return value;
}

function routeOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

/** Splits `"GET /path?q HTTP/1.1"`'s inside into method and route; a bare `-` (nginx for no request line) gives `-`. */
function requestParts(request: string): { method: string; route: string } {
  const a = request.indexOf(' ');
  if (a < 0) return { method: '-', route: request || '-' };
  const b = request.indexOf(' ', a + 1);
  return { method: request.slice(0, a), route: routeOf(b < 0 ? request.slice(a + 1) : request.slice(a + 1, b)) };
}

/**
 * One line of nginx's `combined` format, optionally followed by `$request_time` in seconds:
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" [$request_time]`.
 * nginx escapes `"` inside fields as `\x22`, so quotes delimit fields. Null for a line of another shape.
 */
export function parseCombinedLine(line: string): AccessRecord | null {
  const open = line.indexOf(' [');
  if (open < 0) return null;
  const close = line.indexOf('] "', open);
  if (close < 0) return null;
  const reqEnd = line.indexOf('" ', close + 3);
  if (reqEnd < 0) return null;
  const statusStart = reqEnd + 2;
  const statusEnd = line.indexOf(' ', statusStart);
  if (statusEnd < 0) return null;
  const status = toInt(line, statusStart, statusEnd);
  if (status < 100 || status > 999) return null;
  const bytesEnd = line.indexOf(' ', statusEnd + 1);
  const bytesStop = bytesEnd < 0 ? line.length : bytesEnd;
  const bytes = toInt(line, statusEnd + 1, bytesStop);
  let latencyMs: number | null = null;
  // After the referer and user agent, a bare number is $request_time.
  const lastQuote = line.lastIndexOf('"');
  if (lastQuote > bytesStop && lastQuote < line.length - 1) {
    const tail = line.slice(lastQuote + 1).trim();
    const seconds = tail ? Number(tail) : NaN;
    if (Number.isFinite(seconds)) latencyMs = seconds * 1000;
  }
  const { method, route } = requestParts(line.slice(close + 3, reqEnd));
  return { time: parseTimeLocal(line.slice(open + 2, close)), method, route, status, bytes: bytes < 0 ? null : bytes, latencyMs };
}

/** A non-negative decimal integer of line[start, end), or -1 (nginx writes `-` for none). */
function toInt(line: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** One line of uvicorn's access log: `INFO:     127.0.0.1:50000 - "GET /path HTTP/1.1" 200 OK` (with or without a timestamp prefix). */
export function parseUvicornLine(line: string): AccessRecord | null {
  const open = line.indexOf(' - "');
  if (open < 0) return null;
  const reqEnd = line.indexOf('" ', open + 4);
  if (reqEnd < 0) return null;
  const statusEnd = line.indexOf(' ', reqEnd + 2);
  const status = toInt(line, reqEnd + 2, statusEnd < 0 ? line.length : statusEnd);
  if (status < 100 || status > 999) return null;
  const { method, route } = requestParts(line.slice(open + 4, reqEnd));
  return { time: null, method, route, status, bytes: null, latencyMs: null };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pick = (o: Record<string, unknown>, keys: readonly string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
};

function timeOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v > 1e11 ? v : v * 1000;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/**
 * One JSON line of a request log. Recognised keys: time (`time`, `timestamp`, `ts`, `@timestamp`:
 * ISO or epoch s/ms), `method`, route (`route`, `path`, `url`, `uri`), status (`status`,
 * `status_code`), bytes (`bytes`, `bytes_sent`, `response_size`, `body_bytes_sent`), latency
 * (`latency_ms`, `duration_ms`, or seconds in `request_time`, `duration`, `latency`).
 */
export function parseJsonAccessLine(line: string): AccessRecord | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(o)) return null;
  const status = Number(pick(o, ['status', 'status_code', 'code']));
  if (!Number.isInteger(status) || status < 100 || status > 999) return null;
  const routeRaw = pick(o, ['route', 'path', 'url', 'uri', 'endpoint']);
  let route = typeof routeRaw === 'string' ? routeRaw : '-';
  if (/^https?:\/\//.test(route)) {
    try {
      route = new URL(route).pathname;
    } catch {
      // keep the text as logged
    }
  }
  const ms = pick(o, ['latency_ms', 'duration_ms', 'elapsed_ms']);
  const seconds = pick(o, ['request_time', 'duration', 'latency', 'elapsed']);
  const latencyMs = typeof ms === 'number' ? ms : typeof seconds === 'number' ? seconds * 1000 : null;
  const bytes = pick(o, ['bytes', 'bytes_sent', 'response_size', 'body_bytes_sent', 'size']);
  const method = pick(o, ['method', 'verb']);
  return {
    time: timeOf(pick(o, ['time', 'timestamp', 'ts', '@timestamp'])),
    method: typeof method === 'string' ? method : '-',
    route: routeOf(route),
    status,
    bytes: typeof bytes === 'number' && bytes >= 0 ? bytes : null,
    latencyMs: latencyMs !== null && Number.isFinite(latencyMs) ? latencyMs : null,
  };
}

const PARSERS: Record<AccessLogFormat, (line: string) => AccessRecord | null> = {
  combined: parseCombinedLine,
  uvicorn: parseUvicornLine,
  json: parseJsonAccessLine,
};

export function accessLineParser(format: AccessLogFormat): (line: string) => AccessRecord | null {
  return PARSERS[format];
}

/** The format most of the first lines parse as, or undefined when none does. */
export function detectAccessLogFormat(sample: readonly string[]): AccessLogFormat | undefined {
  let best: AccessLogFormat | undefined;
  let bestCount = 0;
  for (const format of ['json', 'combined', 'uvicorn'] as const) {
    const count = sample.filter((l) => l.trim() && PARSERS[format](l) !== null).length;
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return best;
}
