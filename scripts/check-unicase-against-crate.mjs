// Differential check of native/unicase.c against the Rust crate itself, for
// whoever changes the collation. Not part of `npm test`: it needs rustc and a
// checkout of seanmonstar/unicase.
//
//   git -C <unicase repo> worktree add /tmp/unicase-2.6.0 v2.6.0   (or any copy of that tag)
//   npm run build:native
//   node scripts/check-unicase-against-crate.mjs /tmp/unicase-2.6.0 [pairs]
//
// It compiles a tiny program that compares byte strings exactly as Anki does
// (rusqlite hands the collation String::from_utf8_lossy of each side, then
// UniCase::new(a).cmp(&UniCase::new(b))), feeds it and our extension the same
// random pairs (ASCII, every code point the table touches, Unicode 14+ letters
// the table lacks, invalid UTF-8), and reports any disagreement.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const crate = process.argv[2];
const pairCount = Number(process.argv[3] ?? 300_000);
if (!crate) {
  console.error('usage: node scripts/check-unicase-against-crate.mjs <unicase 2.6.0 source folder> [pairs]');
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'unicase-oracle-'));
try {
  // The crate's build.rs would set these for any modern rustc.
  const cfgs = ['__unicase__iter_cmp', '__unicase__default_hasher', '__unicase__const_fns', '__unicase__core_and_alloc'];
  execFileSync('rustc', [
    '--edition',
    '2015',
    '--crate-type',
    'rlib',
    '--crate-name',
    'unicase',
    '-O',
    '--cap-lints',
    'allow',
    ...cfgs.flatMap((c) => ['--cfg', c]),
    join(crate, 'src', 'lib.rs'),
    '-o',
    join(work, 'libunicase.rlib'),
  ]);
  writeFileSync(
    join(work, 'main.rs'),
    `extern crate unicase;
use std::io::{BufRead, Write};
use unicase::UniCase;
fn unhex(s: &str) -> Vec<u8> { (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect() }
fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let mut parts = line.split(' ');
        let a = unhex(parts.next().unwrap());
        let b = unhex(parts.next().unwrap_or(""));
        let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        writeln!(out, "{}", UniCase::new(a.as_ref()).cmp(&UniCase::new(b.as_ref())) as i8).unwrap();
    }
}
`,
  );
  const oracle = join(work, 'oracle');
  execFileSync('rustc', [
    '--edition',
    '2018',
    '-O',
    join(work, 'main.rs'),
    '--extern',
    `unicase=${join(work, 'libunicase.rlib')}`,
    '-o',
    oracle,
  ]);

  const db = new Database(':memory:');
  db.loadExtension(
    join(
      root,
      'native',
      'build',
      'Release',
      process.platform === 'win32' ? 'unicase.dll' : process.platform === 'darwin' ? 'unicase.dylib' : 'unicase.so',
    ),
  );
  const verdict = db
    .prepare(
      `SELECT CASE WHEN CAST(? AS TEXT) = CAST(? AS TEXT) COLLATE unicase THEN 0
                   WHEN CAST(? AS TEXT) < CAST(? AS TEXT) COLLATE unicase THEN -1 ELSE 1 END`,
    )
    .pluck();

  const table = readFileSync(join(root, 'native', 'unicase_table.h'), 'utf8');
  const codePoints = new Set([0x2c2f, 0x2c5f, 0xa7c0, 0xa7c1, 0x10570, 0x10597, 0x1c89, 0xfffd, 0x10ffff, 0x7f, 0, 0x1f600]);
  for (const m of table.matchAll(/0x([0-9A-F]{4,6})/g)) {
    const cp = parseInt(m[1], 16);
    if (cp !== 0 && !(cp >= 0xd800 && cp <= 0xdfff)) codePoints.add(cp);
  }
  const pool = [...codePoints];
  const invalid = [
    [0x80],
    [0xc0],
    [0xc1, 0x80],
    [0xe0, 0x80],
    [0xe0, 0xa0],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf0, 0x9f, 0x98],
    [0xff],
    [0xf5],
    [0xc3],
    [0xe2, 0x82],
  ];
  let seed = 20240301;
  const next = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const piece = () => {
    const r = next(10);
    if (r < 4) return Buffer.from(String.fromCharCode(32 + next(95)));
    if (r < 8) return Buffer.from(String.fromCodePoint(pool[next(pool.length)]));
    if (r < 9) return Buffer.from(invalid[next(invalid.length)]);
    return Buffer.from(String.fromCodePoint(next(0x30000)).replace(/[\ud800-\udfff]/g, 'x'));
  };
  const string = () => Buffer.concat(Array.from({ length: next(6) }, piece));
  const pairs = [];
  for (let i = 0; i < pairCount; i++) {
    const a = string();
    let b;
    if (next(3) === 0) b = Buffer.from(a.toString().toUpperCase());
    else if (next(2) === 0) b = string();
    else {
      const bytes = [...a];
      bytes.splice(next(bytes.length + 1), next(2), ...piece());
      b = Buffer.from(bytes);
    }
    pairs.push([a, b]);
  }
  for (const cp of pool) {
    const s = String.fromCodePoint(cp);
    pairs.push([Buffer.from(s), Buffer.from(s.toLowerCase())], [Buffer.from(s + 'a'), Buffer.from(s.toUpperCase())]);
  }
  const input = pairs.map(([a, b]) => `${a.toString('hex')} ${b.toString('hex')}`).join('\n') + '\n';
  const expected = execFileSync(oracle, { input, maxBuffer: 1 << 28 })
    .toString()
    .trim()
    .split('\n')
    .map(Number);
  let mismatches = 0;
  let equal = 0;
  pairs.forEach(([a, b], i) => {
    const got = verdict.get(a, b, a, b);
    if (expected[i] === 0) equal++;
    if (got !== expected[i] && mismatches++ < 20) {
      console.log(`MISMATCH ${a.toString('hex')} vs ${b.toString('hex')}: ours ${got}, crate ${expected[i]}`);
    }
  });
  console.log(`${pairs.length} pairs (${equal} equal under the crate), ${mismatches} mismatches`);
  process.exitCode = mismatches === 0 ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
