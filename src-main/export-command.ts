// `anki-home-sync export USER FILE.colpkg [--legacy]`: "Download my collection"
// from the command line (issue 24). Writes the account's collection and its
// media as a collection package that Anki opens with File → Import; --legacy
// writes the form Anki before 2.1.50 opens. It only reads the account's files,
// so it works whether a server is running or not, and needs no SYNC_USER1:
// only SYNC_BASE (default ~/.syncserver), as the server finds the accounts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  baseFolderFromEnv,
  ConfigError,
  currentMediaFiles,
  ExportError,
  exportCollectionPackage,
  formatBytes,
  usernameProblem,
  userPaths,
  type PackageSource,
} from './server/index.js';

const USAGE = 'usage: anki-home-sync export USER FILE.colpkg [--legacy]';

/** A sentence for the learner: printed as it is, exit status 1. */
class CommandError extends Error {}

interface ExportArgs {
  readonly user: string;
  readonly file: string;
  readonly legacy: boolean;
}

function argsFrom(args: readonly string[]): ExportArgs {
  const positional: string[] = [];
  let legacy = false;
  for (const arg of args) {
    if (arg === '--legacy') legacy = true;
    // --snapshot ID joins here (issue 24 §3, "from any snapshot"): it chooses packageSource's files.
    else if (arg.startsWith('--')) throw new CommandError(`unknown option ${JSON.stringify(arg)}\n${USAGE}`);
    else positional.push(arg);
  }
  const [user, file, ...extra] = positional;
  if (user === undefined || file === undefined || extra.length > 0) throw new CommandError(USAGE);
  return { user, file: resolve(file), legacy };
}

/**
 * What the package is made of: the account's live collection and media. A
 * snapshot's collection file and media go here in its place, when --snapshot
 * is given.
 */
async function packageSource(base: string, user: string): Promise<PackageSource> {
  const problem = usernameProblem(user);
  if (problem !== null) throw new CommandError(`${JSON.stringify(user)} cannot be an account name: ${problem}.`);
  const paths = userPaths(base, user);
  if (!existsSync(paths.folder)) throw new CommandError(`There is no account named ${user} in ${base}. Check the name, and SYNC_BASE.`);
  return { collection: paths.collection, media: await currentMediaFiles(paths) };
}

/** The command; resolves with the exit status. */
export async function exportCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { user, file, legacy } = argsFrom(args);
    const base = baseFolderFromEnv(env);
    const source = await packageSource(base, user);
    const result = await exportCollectionPackage(source, file, { legacy });
    const media = result.mediaFiles === 1 ? '1 media file' : `${result.mediaFiles} media files`;
    process.stdout.write(
      `Wrote ${user}'s collection to ${file} (${formatBytes(result.bytes)}): ${result.notes} notes, ${result.cards} cards, ${media}.\n` +
        `Open it in ${legacy ? 'Anki (any version)' : 'Anki 2.1.50 or later'} with File → Import; it replaces the collection there.\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CommandError || error instanceof ExportError || error instanceof ConfigError) {
      process.stderr.write(`anki-home-sync: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
