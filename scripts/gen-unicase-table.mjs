// Generates native/unicase_table.h from the unicase crate's folding code.
//
//   git -C <unicase mirror> show v2.6.0:src/unicode/map.rs > /tmp/map.rs
//   node scripts/gen-unicase-table.mjs /tmp/map.rs [native/unicase_table.h]
//
// Anki pins unicase at 2.6.0 and orders every `COLLATE unicase` index with it,
// so our collation must fold exactly as that version's `lookup` does, including
// its gaps relative to today's CaseFolding.txt. map.rs is Rust code, not a data
// file: this script interprets the `lookup` function's match arms for every
// code point, then checks the result against the `lookup_naive` table the same
// file carries for its own consistency test. Any syntax it does not know makes
// it fail rather than guess.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const MAX_CODE_POINT = 0x10ffff;

function fail(message) {
  throw new Error(`gen-unicase-table: ${message}`);
}

/** A Rust char: a Unicode scalar value (no surrogates). */
function isScalar(cp) {
  return cp >= 0 && cp <= MAX_CODE_POINT && !(cp >= 0xd800 && cp <= 0xdfff);
}

/** Parses `'\u{0066}', '\u{0069}',` into code points. */
function parseChars(list) {
  const out = [];
  for (const m of list.matchAll(/'\\u\{([0-9a-fA-F]+)\}'/g)) out.push(parseInt(m[1], 16));
  return out;
}

/**
 * Turns one arm's right-hand side into a function of `from`. Returns either
 * a number (the `single_char` value, before `char::from_u32`) or an array of
 * code points (a `return Fold::…` that bypasses `from_u32`).
 */
function parseExpression(text, bits) {
  const mask = bits === 16 ? 0xffff : 0xffffffff;
  const wrap = (n) => (bits === 16 ? n & 0xffff : n >>> 0);
  let m;
  const t = text.trim();
  if ((m = /^return Fold::(One|Two|Three)\((.*)\)$/.exec(t))) {
    const chars = parseChars(m[2]);
    const expected = { One: 1, Two: 2, Three: 3 }[m[1]];
    if (chars.length !== expected) fail(`bad fold arity: ${t}`);
    return () => chars;
  }
  if ((m = /^0x([0-9a-f]+)$/.exec(t))) {
    const value = parseInt(m[1], 16);
    return () => value;
  }
  if (t === 'from' || t === 'orig as u32') return (from) => from;
  if ((m = /^from\.wrapping_add\(0x([0-9a-f]+)\)$/.exec(t))) {
    const k = parseInt(m[1], 16);
    return (from) => wrap(from + k);
  }
  if ((m = /^from\.wrapping_sub\(0x([0-9a-f]+)\)$/.exec(t))) {
    const k = parseInt(m[1], 16);
    return (from) => wrap(from - k);
  }
  if (t === '(from | 1)') return (from) => wrap(from | 1);
  // `!1` is the bitwise complement in the integer's own width.
  if (t === '((from+1) & !1)') return (from) => wrap((from + 1) & (mask ^ 1));
  if ((m = /^if \(from & 1\) == 1 \{ from\.wrapping_sub\(0x([0-9a-f]+)\) \} else \{ from \}$/.exec(t))) {
    const k = parseInt(m[1], 16);
    return (from) => ((from & 1) === 1 ? wrap(from - k) : from);
  }
  return fail(`unknown expression: ${t}`);
}

/** Parses one match arm line into { test(x), value(from) }, or null if the line is not an arm. */
function parseArm(line, bits) {
  const t = line.trim().replace(/,$/, '');
  let m;
  if ((m = /^0x([0-9a-f]+) => (.*)$/.exec(t))) {
    const key = parseInt(m[1], 16);
    return { test: (x) => x === key, value: parseExpression(m[2], bits) };
  }
  if ((m = /^x @ _ if x <= 0x([0-9a-f]+)\s+=> (.*)$/.exec(t))) {
    const hi = parseInt(m[1], 16);
    return { test: (x) => x <= hi, value: parseExpression(m[2], bits) };
  }
  if ((m = /^x @ _ if 0x([0-9a-f]+) <= x\s+=> (.*)$/.exec(t))) {
    const lo = parseInt(m[1], 16);
    return { test: (x) => lo <= x, value: parseExpression(m[2], bits) };
  }
  if ((m = /^x @ _ if 0x([0-9a-f]+) <= x && x <= 0x([0-9a-f]+)\s+=> (.*)$/.exec(t))) {
    const lo = parseInt(m[1], 16);
    const hi = parseInt(m[2], 16);
    return { test: (x) => lo <= x && x <= hi, value: parseExpression(m[3], bits) };
  }
  if ((m = /^_ => (.*)$/.exec(t))) {
    return { test: () => true, value: parseExpression(m[1], bits) };
  }
  return null;
}

/** Rust match semantics: the first arm whose pattern and guard hold. */
function firstMatch(arms, x, from) {
  for (const arm of arms) if (arm.test(x)) return arm.value(from);
  return fail(`no arm matched 0x${x.toString(16)}`);
}

function sliceBetween(lines, startPattern, endPattern, from = 0) {
  const start = lines.findIndex((l, i) => i >= from && startPattern.test(l));
  if (start < 0) fail(`missing ${startPattern}`);
  const end = lines.findIndex((l, i) => i > start && endPattern.test(l));
  if (end < 0) fail(`missing ${endPattern} after ${startPattern}`);
  return { start, end };
}

/** Builds `lookup(cp) -> code points` from the real `lookup` function. */
function parseLookup(lines) {
  const fn = sliceBetween(lines, /^pub fn lookup\(orig: char\) -> Fold \{$/, /^}$/);
  const body = lines.slice(fn.start + 1, fn.end);
  const expectLine = (pattern) => {
    if (!body.some((l) => pattern.test(l))) fail(`lookup no longer has ${pattern}`);
  };
  // The shape this interpreter relies on.
  expectLine(/^\s*let from = orig as u32;$/);
  expectLine(/^\s*if from <= 0x2CFF \{$/);
  expectLine(/^\s*let single_char: u16 = match high_byte \{$/);
  expectLine(/^\s*Fold::One\( char::from_u32\(single_char as u32\)\.unwrap_or\(orig\) \)$/);
  expectLine(/^\s*let single_char: u32 = match from \{$/);
  expectLine(/^\s*Fold::One\( char::from_u32\(single_char\)\.unwrap_or\(orig\) \)$/);

  // Low code points: a table of high bytes, each either `from` or a match on the low byte.
  const highStart = body.findIndex((l) => /match high_byte \{$/.test(l));
  const highBlocks = new Map();
  let highDefault = null;
  let i = highStart + 1;
  for (;;) {
    const line = body[i].trim();
    let m;
    if ((m = /^0x([0-9a-f]{2}) => \{$/.exec(line))) {
      const high = parseInt(m[1], 16);
      const next = body[i + 1].trim();
      if (next === 'from') {
        if (body[i + 2].trim() !== '}') fail(`unexpected block end at line ${i + 2}`);
        highBlocks.set(high, [parseArm('_ => from', 16)]);
        i += 3;
      } else if (next === 'match low_byte {') {
        const arms = [];
        let j = i + 2;
        while (body[j].trim() !== '}') {
          const arm = parseArm(body[j], 16);
          if (!arm) fail(`unknown arm: ${body[j].trim()}`);
          arms.push(arm);
          j++;
        }
        if (body[j + 1].trim() !== '}') fail(`unexpected block end at line ${j + 1}`);
        highBlocks.set(high, arms);
        i = j + 2;
      } else {
        fail(`unknown block start: ${next}`);
      }
    } else if (/^_ => from\s*$/.test(line)) {
      highDefault = [parseArm('_ => from', 16)];
      if (body[i + 1].trim() !== '};') fail('high_byte match does not end as expected');
      break;
    } else {
      fail(`unknown line in high_byte match: ${line}`);
    }
  }

  // High code points: one flat match on `from`.
  const flatStart = body.findIndex((l) => /let single_char: u32 = match from \{$/.test(l));
  const flatArms = [];
  for (let j = flatStart + 1; body[j].trim() !== '};'; j++) {
    const arm = parseArm(body[j], 32);
    if (!arm) fail(`unknown arm: ${body[j].trim()}`);
    flatArms.push(arm);
  }

  return (orig) => {
    let single;
    if (orig <= 0x2cff) {
      const high = orig >> 8;
      const low = orig & 0xff;
      const arms = highBlocks.get(high) ?? highDefault;
      single = firstMatch(arms, low, orig);
    } else {
      single = firstMatch(flatArms, orig, orig);
    }
    if (Array.isArray(single)) return single;
    // `char::from_u32(single_char).unwrap_or(orig)`
    return [isScalar(single) ? single : orig];
  };
}

/** Builds `lookup_naive(cp)` from the consistency test's flat table. */
function parseNaive(lines) {
  const fn = sliceBetween(lines, /^\s*fn lookup_naive\(orig: char\) -> Fold \{$/, /^\s*let single_char = match orig as u32 \{$/);
  const arms = [];
  for (let j = fn.end + 1; lines[j].trim() !== '};'; j++) {
    const arm = parseArm(lines[j], 32);
    if (!arm) fail(`unknown naive arm: ${lines[j].trim()}`);
    arms.push(arm);
  }
  return (orig) => {
    const single = firstMatch(arms, orig, orig);
    return Array.isArray(single) ? single : [single];
  };
}

/** The order in which the crate's `Fold` iterator yields a folding's characters. */
function iterationOrder(chars) {
  // Fold::Three(one, two, three).next() yields `three`, then becomes Two(one, two).
  return chars.length === 3 ? [chars[2], chars[0], chars[1]] : chars;
}

function hex(cp) {
  return `0x${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function main() {
  const path = process.argv[2];
  if (!path) fail('usage: node scripts/gen-unicase-table.mjs <path to unicase v2.6.0 src/unicode/map.rs>');
  const source = readFileSync(path, 'utf8');
  const lines = source.split('\n');
  const lookup = parseLookup(lines);
  const naive = parseNaive(lines);

  const entries = [];
  for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
    if (!isScalar(cp)) continue;
    const folded = lookup(cp);
    const reference = naive(cp);
    if (folded.join(',') !== reference.join(',')) {
      fail(`lookup and lookup_naive disagree at ${hex(cp)}: ${folded.map(hex)} vs ${reference.map(hex)}`);
    }
    if (folded.length === 1 && folded[0] === cp) continue;
    for (const c of folded) if (!isScalar(c)) fail(`folding of ${hex(cp)} yields a non-scalar`);
    entries.push({ from: cp, chars: iterationOrder(folded) });
  }

  const sha256 = createHash('sha256').update(source).digest('hex');
  const out = [];
  out.push('/* Generated by scripts/gen-unicase-table.mjs: do not edit. */');
  out.push('/* Source: unicase 2.6.0 src/unicode/map.rs, sha256 ' + sha256 + ' */');
  out.push('/*');
  out.push(' * Every code point the crate folds to something other than itself, sorted by');
  out.push(" * code point. `to` holds the folding in the order the crate's iterator yields it");
  out.push(' * (a three-character folding a,b,c is stored as c,a,b); unused slots are 0.');
  out.push(' */');
  out.push('#ifndef UNICASE_TABLE_H');
  out.push('#define UNICASE_TABLE_H');
  out.push('');
  out.push('#include <stdint.h>');
  out.push('');
  out.push('struct unicase_fold {');
  out.push('  uint32_t from;');
  out.push('  uint8_t len;');
  out.push('  uint32_t to[3];');
  out.push('};');
  out.push('');
  out.push(`#define UNICASE_FOLD_COUNT ${entries.length}`);
  out.push('');
  out.push('static const struct unicase_fold UNICASE_FOLDS[UNICASE_FOLD_COUNT] = {');
  for (const e of entries) {
    const to = [...e.chars, 0, 0].slice(0, 3).map(hex).join(', ');
    out.push(`  { ${hex(e.from)}, ${e.chars.length}, { ${to} } },`);
  }
  out.push('};');
  out.push('');
  out.push('#endif');
  const target = process.argv[3] ?? fileURLToPath(new URL('../native/unicase_table.h', import.meta.url));
  writeFileSync(target, out.join('\n') + '\n');
  console.log(`gen-unicase-table: ${entries.length} foldings written to ${target}`);
}

main();
