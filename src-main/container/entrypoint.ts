// The container's entrypoint: runs the headless command (cli.ts) in this same
// process, never as root. Started as root (the image's default), it gives the
// data volume (SYNC_BASE, /data) to PUID:PGID and drops to them; started with
// `--user`, it runs as that user and leaves ownership alone. Arguments go to the
// command as given (`hash-password`, `--healthcheck`), which then neither
// changes the volume nor serves.
import { existsSync } from 'node:fs';
import { giveTo, runAsFromEnv, RunAsError, type RunAs } from './data-owner.js';

function fail(message: string): never {
  console.error(`anki-home-sync: ${message}`);
  process.exit(1);
}

/** Drops from root to `owner` for good: supplementary groups, then the group, then the user. */
function dropTo(owner: RunAs): void {
  if (process.setgroups === undefined || process.setgid === undefined || process.setuid === undefined) {
    throw new Error('this system has no user ids');
  }
  process.setgroups([owner.gid]);
  process.setgid(owner.gid);
  process.setuid(owner.uid);
}

async function becomeOwner(serving: boolean): Promise<void> {
  let owner: RunAs;
  try {
    owner = runAsFromEnv(process.env);
  } catch (error) {
    if (error instanceof RunAsError) fail(error.message);
    throw error;
  }
  const data = process.env['SYNC_BASE'];
  if (serving && data !== undefined && existsSync(data)) {
    try {
      const changed = await giveTo(data, owner);
      if (changed > 0) console.log(`Gave ${changed} file(s) and folder(s) in ${data} to ${owner.uid}:${owner.gid} (PUID:PGID).`);
    } catch (error) {
      fail(`could not give ${data} to ${owner.uid}:${owner.gid} (PUID:PGID): ${String(error)}`);
    }
  }
  try {
    dropTo(owner);
  } catch (error) {
    fail(
      `could not switch to ${owner.uid}:${owner.gid} (PUID:PGID): ${String(error)}. ` +
        'Run the container with --user <uid>:<gid> instead, or allow the SETUID and SETGID capabilities.',
    );
  }
}

// `docker run <image> anki-home-sync hash-password` means `hash-password`.
if (process.argv[2] === 'anki-home-sync') process.argv.splice(2, 1);
const args = process.argv.slice(2);
const serving = args.length === 0;
if (process.getuid?.() === 0) {
  await becomeOwner(serving);
} else if (serving && (process.env['PUID'] !== undefined || process.env['PGID'] !== undefined)) {
  console.warn(`anki-home-sync: warning: started as ${process.getuid?.()}:${process.getgid?.()} (--user), so PUID and PGID are not used.`);
}
// The command then prints where to point Anki in a container's terms (cli.ts).
process.env['ANKI_HOME_SYNC_IN_CONTAINER'] = '1';
await import('../cli.js');
