// Name normalisation shared by decks and tags, as the reference does it
// (rslib/src/decks/name.rs, rslib/src/tags/register.rs).

// Rust's char::is_whitespace (Unicode White_Space); JS \s differs (U+FEFF, U+0085).
const WHITE_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
  0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isRustWhitespace(ch: string): boolean {
  return WHITE_SPACE.has(ch.codePointAt(0)!);
}

/** Removes leading and trailing characters matching `strip`. */
export function trimMatching(text: string, strip: (ch: string) => boolean): string {
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && strip(chars[start]!)) start++;
  while (end > start && strip(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

const ASCII_CONTROL = /[\u0000-\u001f\u007f]/g;

function deckComponent(component: string): string {
  const cleaned = component.normalize('NFC').replace(ASCII_CONTROL, '');
  const trimmed = trimMatching(cleaned, (ch) => isRustWhitespace(ch) || ch === ':');
  return trimmed === '' ? 'blank' : trimmed;
}

/** "Parent::Child" → the stored form "Parent\x1fChild", each component normalised. */
export function nativeDeckName(humanName: string): string {
  return humanName.split('::').map(deckComponent).join('\x1f');
}

export function humanDeckName(nativeName: string): string {
  return nativeName.replaceAll('\x1f', '::');
}

// tags: ASCII controls and the tag separators (space, ideographic space) are invalid
const TAG_INVALID = /[\u0000-\u001f\u007f \u3000]/g;

function tagComponent(component: string): string {
  const cleaned = component.normalize('NFC').replace(TAG_INVALID, '');
  const trimmed = trimMatching(cleaned, isRustWhitespace);
  return trimmed === '' ? 'blank' : trimmed;
}

/** The reference's normalize_tag_name. */
export function normalizeTagName(name: string): string {
  return name.split('::').map(tagComponent).join('::');
}
