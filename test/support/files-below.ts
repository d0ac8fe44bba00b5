// Every file below a folder whose name matches, as paths: the one walker the
// tests that read the source tree use (boundaries, the server's door, the
// repo's self-containment, where folders are created).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function filesBelow(dir: string, name: RegExp, skipFolders: ReadonlySet<string> = new Set()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return skipFolders.has(entry) ? [] : filesBelow(path, name, skipFolders);
    return name.test(entry) ? [path] : [];
  });
}
