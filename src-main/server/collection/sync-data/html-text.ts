// "Strip HTML, keeping media file names" (docs/protocol/collection-sync.md §6.5), which the
// server needs for a note's sort field and checksum. The reference does this
// with regular expressions on a linear-time engine; the same patterns on
// JavaScript's backtracking engine can take exponential time on unlucky text
// (an <img> without src followed by many quotes), so the matching is written
// out as scanners with the same leftmost-first results for real-world markup.
import { HTML4_ENTITIES } from './html-entities.js';

const MEDIA_TAGS = ['img', 'audio', 'video', 'object', 'source'];
const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u200c\u200d]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/** Only ASCII letters change, so indexes stay valid. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** Positions the attribute scan may stop at: every `>` passed must sit inside quotes. */
function* attributeStops(text: string, from: number): Generator<number> {
  const reachable = new Uint8Array(text.length + 1);
  reachable[from] = 1;
  for (let i = from; i < text.length; i++) {
    if (!reachable[i]) continue;
    const ch = text[i];
    if (ch !== '>') reachable[i + 1] = 1;
    if (ch === '"' || ch === "'") {
      const close = text.indexOf(ch, i + 1);
      if (close > i + 1) reachable[close + 1] = 1;
    }
    if (i > from && reachable[i]) yield i;
  }
  if (text.length > from && reachable[text.length]) yield text.length;
}

/** The file name and end of a `src=`/`data=` value starting at `at`, per the reference's three forms. */
function mediaValue(text: string, at: number): { name: string; end: number } | null {
  const quote = text[at];
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, at + 1);
    if (close > at + 1) {
      const gt = text.indexOf('>', close + 1);
      if (gt >= 0) return { name: text.slice(at + 1, close), end: gt + 1 };
    }
  }
  let i = at;
  while (i < text.length && text[i] !== ' ' && text[i] !== '>') i++;
  if (i === at || i === text.length) return null;
  if (text[i] === '>') return { name: text.slice(at, i), end: i + 1 };
  const gt = text.indexOf('>', i + 1);
  return gt >= 0 ? { name: text.slice(at, i), end: gt + 1 } : null;
}

function mediaTagAt(text: string, lower: string, start: number): { name: string; end: number } | null {
  const tag = MEDIA_TAGS.find((name) => lower.startsWith(name, start + 1));
  if (!tag) return null;
  const afterName = start + 1 + tag.length;
  if (isWordChar(text[afterName])) return null;
  for (const stop of attributeStops(text, afterName)) {
    if (isWordChar(text[stop - 1])) continue;
    let valueAt = -1;
    if (lower.startsWith('src=', stop)) valueAt = stop + 4;
    else if (lower.startsWith('data=', stop)) valueAt = stop + 5;
    if (valueAt < 0) continue;
    const value = mediaValue(text, valueAt);
    if (value) return value;
  }
  return null;
}

/** A match starting at a `<`: where it ends and what replaces it; 'stop' when nothing later can match. */
type TagMatcher = (text: string, lower: string, start: number) => { end: number; replacement: string } | null | 'stop';

/** Replaces the leftmost non-overlapping matches that start at a `<`, scanning left to right. */
function replaceAtTags(text: string, match: TagMatcher): string {
  if (!text.includes('<')) return text;
  const lower = asciiLower(text);
  let out = '';
  let copied = 0;
  let at = text.indexOf('<');
  while (at >= 0) {
    const found = match(text, lower, at);
    if (found === 'stop') break;
    if (found) {
      out += text.slice(copied, at) + found.replacement;
      copied = found.end;
      at = text.indexOf('<', found.end);
    } else {
      at = text.indexOf('<', at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** `<img src="a.jpg">` → ` a.jpg ` (also audio, video, object, source; src or data). */
export function replaceMediaTags(text: string): string {
  return replaceAtTags(text, (t, lower, start) => {
    const media = mediaTagAt(t, lower, start);
    return media && { end: media.end, replacement: ` ${media.name} ` };
  });
}

/** End of the markup starting at `start` (a `<`), or -1: comment, style, script, then any tag. */
function markupEnd(text: string, lower: string, start: number): number {
  if (text.startsWith('<!--', start)) {
    const close = text.indexOf('-->', start + 4);
    if (close >= 0) return close + 3;
  }
  for (const block of ['style', 'script']) {
    if (!lower.startsWith(`<${block}`, start)) continue;
    const gt = text.indexOf('>', start + 1 + block.length);
    if (gt < 0) continue;
    const close = lower.indexOf(`</${block}>`, gt + 1);
    if (close >= 0) return close + block.length + 3;
  }
  const gt = text.indexOf('>', start + 1);
  return gt >= 0 ? gt + 1 : -1;
}

/** Removes comments, style and script blocks and every tag. */
export function removeMarkup(text: string): string {
  return replaceAtTags(text, (t, lower, start) => {
    const end = markupEnd(t, lower, start);
    // No `>` anywhere after this `<`: nothing later can match either.
    return end < 0 ? 'stop' : { end, replacement: '' };
  });
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isHexDigit(ch: string): boolean {
  return isDigit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

function codePointText(value: number): string | null {
  if (!Number.isFinite(value) || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return null;
  return String.fromCodePoint(value);
}

/**
 * Strict entity decoding, as the reference's decoder does it: every `&` must
 * start `&name;` (an HTML 4 name), `&#digits;` or `&#xhex;`. Any other `&`
 * makes the whole decode fail (null).
 */
export function decodeEntitiesStrict(text: string): string | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const amp = text.indexOf('&', i);
    if (amp < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, amp);
    const semi = text.indexOf(';', amp + 1);
    if (semi < 0) return null;
    const body = text.slice(amp + 1, semi);
    let decoded: string | null;
    if (body.startsWith('#x')) {
      const hex = body.slice(2);
      decoded = hex.length > 0 && [...hex].every(isHexDigit) ? codePointText(parseInt(hex, 16)) : null;
    } else if (body.startsWith('#')) {
      const dec = body.slice(1);
      decoded = dec.length > 0 && [...dec].every(isDigit) ? codePointText(Number(dec)) : null;
    } else {
      const cp = body.length > 0 ? HTML4_ENTITIES.get(body) : undefined;
      decoded = cp === undefined ? null : String.fromCodePoint(cp);
    }
    if (decoded === null) return null;
    out += decoded;
    i = semi + 1;
  }
  return out;
}

/** Entities decoded when the text has any; on success non-breaking spaces become spaces. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  const decoded = decodeEntitiesStrict(text);
  return decoded === null ? text : decoded.replaceAll('\u00a0', ' ');
}

export function stripHtmlPreservingMediaFilenames(html: string): string {
  return decodeEntities(removeMarkup(replaceMediaTags(html)));
}
