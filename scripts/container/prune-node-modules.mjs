// Run inside the Containerfile's build stage, after `npm install --omit=dev`:
// leaves in node_modules only what runs on the platform being built. Removed:
// packages needed only to install (an addon's download and build helpers),
// other platforms' prebuilt addons (and musl's: the image is glibc), addon
// sources, object files and build leftovers, TypeScript sources and
// declarations, source maps, and documentation other than licences.
//
//   node prune-node-modules.mjs <folder holding package.json and node_modules>
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const app = process.argv[2] ?? '.';
const root = join(app, 'node_modules');
const platform = `${process.platform}-${process.arch}`;
/** Dependencies that only fetch or compile an addon at install time; nothing loads them when the server runs. */
const INSTALL_ONLY = new Set(['prebuild-install', 'node-addon-api', 'node-gyp', 'napi-build-utils', 'cross-env']);
const SOURCE_OR_BUILD = /\.(c|cc|cpp|cxx|h|hh|hpp|S|asm|gyp|gypi|o|a|d|mk|py|sh|ts|cts|mts|map|md|markdown|tlog)$/i;
const KEEP = /^(licen[cs]e|notice|copying|authors)(\.|$)/i;
const BUILD_LEFTOVERS = new Set(['obj.target', '.deps', 'deps', 'obj']);
let removed = 0;

function remove(path) {
  rmSync(path, { recursive: true, force: true });
  removed++;
}

function dependencies(folder) {
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  return Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
}

/** Where `name` is found from `folder`, as Node resolves it: the nearest node_modules up to the app. */
function resolvePackage(folder, name) {
  for (let dir = folder; dir.startsWith(app); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  return null;
}

/** Every package the app's dependencies reach, install-only helpers aside. */
function reachable() {
  const seen = new Set();
  const visit = (folder) => {
    for (const name of dependencies(folder)) {
      if (INSTALL_ONLY.has(name)) continue;
      const found = resolvePackage(folder, name);
      if (found === null || seen.has(found)) continue;
      seen.add(found);
      visit(found);
    }
  };
  visit(app);
  return seen;
}

/** Removes every package below `modules` that nothing running reaches. */
function pruneUnreached(modules, keep) {
  for (const name of readdirSync(modules)) {
    const path = join(modules, name);
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      pruneUnreached(path, keep);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (!keep.has(path)) remove(path);
    else if (existsSync(join(path, 'node_modules'))) pruneUnreached(join(path, 'node_modules'), keep);
  }
}

/** `prebuilds/<entry>`: only this platform's, and never a musl build. */
function prunePrebuilds(folder) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    const stem = name.replace(/\.node$/, '');
    if (stem !== platform) remove(path);
    else if (statSync(path).isDirectory()) {
      for (const file of readdirSync(path)) if (file.includes('musl')) remove(join(path, file));
    }
  }
}

function pruneFiles(folder, insideBuild) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'prebuilds') prunePrebuilds(path);
      // An addon's build/: only the .node files in build/Release are loaded.
      else if (insideBuild && BUILD_LEFTOVERS.has(entry.name)) {
        remove(path);
        continue;
      }
      const addonBuild = entry.name === 'build' && (existsSync(join(path, 'Release')) || existsSync(join(path, 'config.gypi')));
      pruneFiles(path, insideBuild || addonBuild);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (entry.isFile() && !KEEP.test(entry.name)) {
      if (SOURCE_OR_BUILD.test(entry.name) || (insideBuild && !entry.name.endsWith('.node')) || entry.name === 'Makefile') remove(path);
    }
  }
}

pruneUnreached(root, reachable());
pruneFiles(root, false);
console.log(`pruned ${removed} files and folders from ${root} (kept ${platform} only)`);
