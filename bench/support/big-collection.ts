// A large collection for benches: a real-Anki schema-18 file with many notes,
// cards and revlog rows added (Basic-and-reversed notes, two cards each).
import { copyFileSync } from 'node:fs';
import { openDatabase } from '../../src-main/server/index.js';
import { seededRandom } from '../../test/support/seeded-random.js';

export interface BigCollectionShape {
  readonly notes: number;
  readonly revlog: number;
  /** Characters of field text per note. */
  readonly fieldChars: number;
}

const WORDS =
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(
    ' ',
  );

export function buildBigCollection(template: string, target: string, shape: BigCollectionShape): void {
  copyFileSync(template, target);
  const db = openDatabase(target);
  try {
    db.pragma('journal_mode = DELETE');
    const random = seededRandom(42);
    const mid = db.prepare("SELECT id FROM notetypes WHERE name = 'Basic (and reversed card)'").pluck().get() as number;
    const did = db.prepare("SELECT id FROM decks WHERE name != 'Default' LIMIT 1").pluck().get() as number;
    const text = (chars: number): string => {
      const words: string[] = [];
      let length = 0;
      while (length < chars) {
        const word = random() < 0.1 ? String(Math.floor(random() * 100000)) : WORDS[Math.floor(random() * WORDS.length)]!;
        words.push(word);
        length += word.length + 1;
      }
      return words.join(' ');
    };
    const insertNote = db.prepare('INSERT INTO notes VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, 0, ?)');
    const insertCard = db.prepare('INSERT INTO cards VALUES (?, ?, ?, ?, ?, 0, 2, 2, ?, ?, 2500, ?, ?, 0, 0, 0, 0, ?)');
    const insertRevlog = db.prepare('INSERT INTO revlog VALUES (?, ?, 0, ?, ?, ?, 2500, ?, 1)');
    const base = 1_600_000_000_000;
    db.transaction(() => {
      const cardIds: number[] = [];
      for (let n = 0; n < shape.notes; n++) {
        const noteId = base + n;
        const front = text(40);
        const back = text(shape.fieldChars - 40);
        insertNote.run(
          noteId,
          `g${n.toString(36)}`,
          mid,
          1_700_000_000,
          n % 7 === 0 ? 'leech marked' : '',
          `${front}\x1f${back}`,
          front,
          Math.floor(random() * 2 ** 31),
          '',
        );
        for (let ord = 0; ord < 2; ord++) {
          const cardId = base + 10_000_000 + n * 2 + ord;
          cardIds.push(cardId);
          insertCard.run(
            cardId,
            noteId,
            did,
            ord,
            1_700_000_000,
            Math.floor(random() * 2000),
            Math.floor(random() * 365),
            Math.floor(random() * 30),
            Math.floor(random() * 3),
            '{}',
          );
        }
      }
      for (let r = 0; r < shape.revlog; r++) {
        const cid = cardIds[Math.floor(random() * cardIds.length)]!;
        insertRevlog.run(
          base + 100_000_000 + r * 37,
          cid,
          1 + Math.floor(random() * 4),
          Math.floor(random() * 100),
          Math.floor(random() * 100),
          Math.floor(random() * 60_000),
        );
      }
    })();
    db.prepare('UPDATE col SET mod = ?, scm = ?').run(Date.now(), Date.now());
    db.exec('VACUUM');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}
