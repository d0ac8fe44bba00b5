// `anki-home-sync hash-password [--pbkdf2]`: reads a password and prints its PHC
// hash, for SYNC_USERn or SYNC_USERS_FILE with PASSWORDS_HASHED set. argon2id by
// default; --pbkdf2 writes pbkdf2-sha256, which the official server verifies
// too. At a terminal the password is asked twice and never echoed; from a pipe
// (`printf %s "$pw" | anki-home-sync hash-password`) its first line is read.
// Only the hash goes to stdout, so `$(…)` captures it alone.
import { hashPassword, type HashAlgorithm } from './server/index.js';

const USAGE = 'usage: anki-home-sync hash-password [--pbkdf2]';

/** Thrown for Ctrl-C or Ctrl-D at the prompt: nothing is printed. */
class Cancelled extends Error {}

/** One line typed at the terminal, echoing nothing. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error === null) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003' || (char === '\u0004' && typed === '')) return finish(new Cancelled());
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char === '\u0015') typed = '';
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** The first line of everything piped in, without its line ending. */
async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readPiped();
  const first = await readHidden('Password: ');
  if (first === '') return first;
  const again = await readHidden('The same password again: ');
  if (again !== first) throw new Error('the two passwords differ; nothing was hashed.');
  return first;
}

function algorithmFrom(args: readonly string[]): HashAlgorithm {
  let algorithm: HashAlgorithm = 'argon2id';
  for (const arg of args) {
    if (arg === '--pbkdf2') algorithm = 'pbkdf2-sha256';
    else if (arg === '--argon2id') algorithm = 'argon2id';
    else throw new Error(`unknown option ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return algorithm;
}

/** The command; resolves with the exit status. */
export async function hashPasswordCommand(args: readonly string[]): Promise<number> {
  try {
    const algorithm = algorithmFrom(args);
    const password = await readPassword();
    if (password === '') throw new Error('the password is empty; nothing was hashed.');
    process.stdout.write(`${await hashPassword(password, algorithm)}\n`);
    if (process.stdin.isTTY) {
      process.stderr.write(
        'Use it as username:<hash> in SYNC_USERn or SYNC_USERS_FILE, with PASSWORDS_HASHED set.\n' +
          'In a compose file or an .env file, write every $ in it as $$.\n',
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof Cancelled) return 130;
    process.stderr.write(`anki-home-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
