// Reads the protobuf text format that `protoc --decode` prints, as found in
// test/fixtures/real-anki/decoded/*.decoded.txt, and the section headers
// around it. Test support only: it handles what those dumps contain (scalars,
// enums, nested messages, C-escaped strings), checked against our schema.

import protobuf from 'protobufjs';

export type TextValue = string | number | boolean | TextMessage;
export interface TextMessage {
  [field: string]: TextValue | TextValue[];
}

/** One `## table key=value ...` section of a decoded dump, with its blobs. */
export interface DecodedSection {
  level: number;
  table: string;
  attrs: Record<string, string>;
  /** `# [label: ]type` comment followed by text: one entry per blob. */
  blobs: { label: string | undefined; typeName: string; text: string }[];
  /** the body when the section holds no blob (config rows: a JSON value) */
  plain: string;
}

export function parseDecodedDump(text: string): DecodedSection[] {
  const sections: DecodedSection[] = [];
  let current: DecodedSection | undefined;
  for (const line of text.split('\n')) {
    const header = /^(#{2,3}) (\w+) (.*)$/.exec(line);
    if (header) {
      current = { level: header[1]!.length, table: header[2]!, attrs: parseAttrs(header[3]!), blobs: [], plain: '' };
      sections.push(current);
      continue;
    }
    if (!current) continue;
    const typeLine = /^# (?:(\w+): )?([\w.]+)$/.exec(line);
    if (typeLine) {
      current.blobs.push({ label: typeLine[1], typeName: typeLine[2]!, text: '' });
      continue;
    }
    const blob = current.blobs[current.blobs.length - 1];
    if (blob) blob.text += line + '\n';
    else current.plain += line + '\n';
  }
  for (const s of sections) s.plain = s.plain.trim();
  return sections;
}

function parseAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /(\w+)=(?:'((?:[^'\\]|\\.)*)'|(\S+))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) attrs[m[1]!] = m[2] ?? m[3]!;
  return attrs;
}

type Token = { kind: 'ident' | 'number' | 'string' | 'punct'; text: string; bytes?: number[] };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === ':' || c === '{' || c === '}') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"') {
      const bytes: number[] = [];
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('unterminated string');
        if (text[i] === '\\') {
          const e = text[i + 1]!;
          const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, '"': 34, "'": 39 };
          if (e in simple) {
            bytes.push(simple[e]!);
            i += 2;
          } else if (/[0-7]/.test(e)) {
            const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1))![0];
            bytes.push(parseInt(oct, 8));
            i += 1 + oct.length;
          } else throw new Error(`unknown escape \\${e}`);
        } else {
          bytes.push(...Buffer.from(text[i]!, 'utf8'));
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', text: Buffer.from(bytes).toString('utf8'), bytes });
    } else {
      const m = /^[-\w.+]+/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected ${c}`);
      tokens.push({ kind: /^[-0-9]/.test(m[0]) ? 'number' : 'ident', text: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

/**
 * Parses a text-format message against `type`, in the shape protobufjs's
 * `fromObject` takes (enum names as strings, int64 as decimal strings). Throws
 * on a field name our schema lacks, so a missing declaration cannot go unseen.
 */
export function parseTextMessage(type: protobuf.Type, text: string): TextMessage {
  const tokens = tokenize(text);
  let pos = 0;
  const message = (t: protobuf.Type, closing: boolean): TextMessage => {
    const out: TextMessage = {};
    for (;;) {
      const tok = tokens[pos];
      if (!tok) {
        if (closing) throw new Error('missing }');
        return out;
      }
      if (tok.kind === 'punct' && tok.text === '}') {
        if (!closing) throw new Error('unexpected }');
        pos++;
        return out;
      }
      const field = t.fields[tok.text];
      if (!field) throw new Error(`${t.fullName} has no field ${tok.text}`);
      pos++;
      let value: TextValue;
      if (tokens[pos]?.text === ':') pos++;
      if (tokens[pos]?.text === '{') {
        pos++;
        value = message(field.resolvedType as protobuf.Type, true);
      } else {
        const v = tokens[pos++]!;
        if (v.kind === 'string') value = field.type === 'bytes' ? Buffer.from(v.bytes!).toString('base64') : v.text;
        else if (v.kind === 'ident') value = v.text === 'true' ? true : v.text === 'false' ? false : v.text;
        else value = /^(u?int64|sint64|s?fixed64)$/.test(field.type) ? v.text : Number(v.text);
      }
      if (field.repeated) ((out[field.name] ??= []) as TextValue[]).push(value);
      else out[field.name] = value;
    }
  };
  return message(type, false);
}
