// JSON that keeps 64-bit integers exact.
//
// Anki ids are i64. Most are millisecond timestamps and fit a JS number, but
// some are not: stock notetype fields and templates carry random 64-bit ids
// (e.g. -5810753096973311499), and config values and unknown legacy keys can
// hold anything. JSON.parse would round those silently, so a setting would come
// back changed after passing through the server. Here an integer literal that a
// double cannot hold exactly becomes a bigint, and stringifyJson writes bigints
// back digit for digit. JSON.stringify throws on a bigint, so a caller that
// forgets to use stringifyJson fails loudly instead of losing data.

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

// A literal of 16+ digits may exceed 2^53; anything shorter is always exact, so
// text without such a literal takes the fast native path.
const LONG_INTEGER = /(?:^|[^0-9.eE+-])-?[0-9]{16,}(?![0-9.eE])/;

export function parseJson(text: string): JsonValue {
  if (!LONG_INTEGER.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new JsonSyntaxError(error instanceof Error ? error.message : String(error));
    }
  }
  return new LosslessParser(text).parseDocument();
}

/** Bytes (UTF-8) to a JSON value, as stored in `config.val` and the `other` blobs. */
export function parseJsonBytes(bytes: Uint8Array): JsonValue {
  return parseJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

/**
 * JSON.stringify's output, except that a bigint is written as its digits
 * instead of throwing. Values without bigints take JSON.stringify itself.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value ?? null);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
  }
  const out: string[] = [];
  write(value as JsonValue, out);
  return out.join('');
}

export function jsonBytes(value: JsonValue): Buffer {
  return Buffer.from(stringifyJson(value), 'utf8');
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An exact integer as a number when it fits, else as a bigint. */
export function jsonInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function write(value: JsonValue, out: string[]): void {
  const withToJson = value as { toJSON?: () => JsonValue } | null;
  if (withToJson !== null && typeof withToJson === 'object' && typeof withToJson.toJSON === 'function') {
    write(withToJson.toJSON(), out);
    return;
  }
  if (value === null || value === undefined) out.push('null');
  else if (typeof value === 'bigint') out.push(value.toString());
  else if (typeof value === 'number') out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
  else if (typeof value === 'string' || typeof value === 'boolean') out.push(JSON.stringify(value));
  else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, index) => {
      if (index > 0) out.push(',');
      write(item === undefined ? null : item, out);
    });
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined || typeof item === 'function') continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      write(item, out);
    }
    out.push('}');
  }
}

const CONTROL = /[\u0000-\u001f]/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class LosslessParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    const value = this.value();
    this.space();
    if (this.pos !== this.text.length) this.fail('unexpected trailing characters');
    return value;
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at position ${this.pos}`);
  }

  private space(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(): JsonValue {
    this.space();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return result;
      }
    }
    return this.fail('unexpected character');
  }

  private object(): JsonObject {
    const result: JsonObject = {};
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      // defineProperty so that a "__proto__" key is data, as with JSON.parse
      Object.defineProperty(result, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      const c = this.text[this.pos++];
      if (c === '}') return result;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++;
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.space();
      const c = this.text[this.pos++];
      if (c === ']') return result;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos + 1;
    let end = t.indexOf('"', start);
    let escaped = false;
    for (;;) {
      if (end < 0) this.fail('unterminated string');
      // a quote preceded by an odd number of backslashes is escaped
      let backslashes = 0;
      while (end - 1 - backslashes >= start && t.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
      escaped = true;
      end = t.indexOf('"', end + 1);
    }
    const raw = t.slice(start, end);
    this.pos = end + 1;
    if (CONTROL.test(raw)) this.fail('control character in string');
    if (!escaped && raw.indexOf('\\') < 0) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return this.fail('bad string escape');
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('bad number');
    const literal = match[0];
    this.pos += literal.length;
    // up to 15 digits is always exact as a double; longer integers may not be
    if (match[1] === undefined && match[2] === undefined && literal.length > 15) return jsonInteger(BigInt(literal));
    return Number(literal);
  }
}
