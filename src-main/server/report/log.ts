// The server's log lines. Host keys and passwords are never passed here. Much of
// what is logged comes from clients (their version string, a username tried, a
// path), so every value is made safe first: control characters, line breaks
// and escape sequences are written as escapes, never raw, so a client cannot
// forge a log line or drive a terminal; and each value is cut to a bounded
// length, so a client cannot make one line huge.
import { inspect } from 'node:util';

export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** The longest value written, in characters; the rest is counted, not written. */
export const MAX_LOG_VALUE_CHARS = 256;

// C0 controls, DEL, C1 controls (ESC and CSI among them), and the Unicode line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu;

/** `text` with every unsafe character escaped, cut to MAX_LOG_VALUE_CHARS. */
export function safeLogText(text: string): string {
  const cut = text.length > MAX_LOG_VALUE_CHARS ? text.slice(0, MAX_LOG_VALUE_CHARS) : text;
  const escaped = cut.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > cut.length ? `${escaped}…(+${text.length - cut.length} chars)` : escaped;
}

function value(raw: unknown): string {
  const text = safeLogText(
    typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : inspect(raw),
  );
  // Quoted when it has spaces or quotes; the text is already escaped, so only quotes need a backslash.
  return /[\s"]/.test(text) ? `"${text.replace(/"/g, '\\"')}"` : text;
}

/** ` key=value …` for the fields that have a value; safe for a one-line log. */
export function logFields(fields?: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields ?? {})
    .filter(([, raw]) => raw !== undefined && raw !== '')
    .map(([key, raw]) => ` ${key}=${value(raw)}`)
    .join('');
}

export function logLine(message: string, fields?: Readonly<Record<string, unknown>>): string {
  return `${new Date().toISOString()} ${safeLogText(message)}${logFields(fields)}`;
}

export const consoleLogger: Logger = {
  info: (message, fields) => console.log(logLine(message, fields)),
  warn: (message, fields) => console.warn(logLine(message, fields)),
  error: (message, fields) => console.error(logLine(message, fields)),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
