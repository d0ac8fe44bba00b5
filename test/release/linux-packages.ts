// The Linux packages, checked on the release's Ubuntu runner before they are
// uploaded:
//   node dist/test/release/linux-packages.js <AppImage> <deb>
// - The AppImage's runtime is static: an ELF without an interpreter needs no
//   libfuse.so.2 (the old runtime does, and Ubuntu 22.04+, Debian 13 and Fedora
//   no longer install it).
// - The AppImage holds no resources/package-type. The deb's build writes that
//   file into the unpacked app; had the AppImage been packed from the same
//   folder, electron-updater would take an AppImage for a deb and install the
//   deb on update. The AppImage carries app-update.yml, which updates need.
// - The deb holds package-type "deb" (its updates install the next deb) and the
//   AppArmor profile that lets its sandbox work on Ubuntu 24.04+.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMain } from './yaml.js';
import { makeTempFolder } from '../support/temp-folder.js';

/** The program interpreter an ELF file asks for (PT_INTERP), or null for a static one. */
export function elfInterpreter(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const read = (at: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      if (readSync(fd, buffer, 0, length, at) !== length) throw new Error(`${path} ends inside its ELF headers`);
      return buffer;
    };
    const ident = read(0, 16);
    if (ident.toString('latin1', 0, 4) !== '\x7fELF') throw new Error(`${path} is not an ELF file`);
    const is64 = ident[4] === 2;
    const le = ident[5] === 1;
    const header = read(0, is64 ? 64 : 52);
    const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const u64 = (b: Buffer, at: number) => Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
    const phoff = is64 ? u64(header, 32) : u32(header, 28);
    const phentsize = u16(header, is64 ? 54 : 42);
    const phnum = u16(header, is64 ? 56 : 44);
    for (let i = 0; i < phnum; i++) {
      const ph = read(phoff + i * phentsize, phentsize);
      if (u32(ph, 0) !== 3) continue; // PT_INTERP
      const offset = is64 ? u64(ph, 8) : u32(ph, 4);
      const size = is64 ? u64(ph, 32) : u32(ph, 16);
      return read(offset, size).toString('latin1').replace(/\0+$/, '');
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function extract(command: string, args: readonly string[], cwd: string): void {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr || run.error?.message}`);
}

/** Problems with an AppImage, in words. Extracts it (--appimage-extract, which needs no FUSE) into a temporary folder. */
export function appImageProblems(appImage: string): string[] {
  const problems: string[] = [];
  const interpreter = elfInterpreter(appImage);
  if (interpreter !== null) problems.push(`the AppImage's runtime is dynamically linked (${interpreter}): it needs libfuse.so.2`);
  const work = makeTempFolder('ahs-appimage-');
  try {
    extract(resolve(appImage), ['--appimage-extract'], work);
    problems.push(...appDirProblems(join(work, 'squashfs-root')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

/** Problems with an AppImage's contents, once extracted (its squashfs-root). */
export function appDirProblems(appDir: string): string[] {
  const problems: string[] = [];
  const resources = join(appDir, 'resources');
  if (existsSync(join(resources, 'package-type'))) {
    problems.push(
      `the AppImage holds resources/package-type ("${readFileSync(join(resources, 'package-type'), 'utf8').trim()}"): its updates would install a deb`,
    );
  }
  if (!existsSync(join(resources, 'app-update.yml'))) problems.push('the AppImage holds no resources/app-update.yml: it could not update');
  if (!existsSync(join(resources, 'app.asar'))) problems.push('the AppImage holds no resources/app.asar');
  return problems;
}

/** Problems with a deb, in words (dpkg-deb -x into a temporary folder). */
export function debProblems(deb: string, productName = 'Anki Home Sync'): string[] {
  const problems: string[] = [];
  const work = makeTempFolder('ahs-deb-');
  try {
    extract('dpkg-deb', ['-x', resolve(deb), work], work);
    const resources = join(work, 'opt', productName, 'resources');
    const packageType = existsSync(join(resources, 'package-type')) ? readFileSync(join(resources, 'package-type'), 'utf8').trim() : null;
    if (packageType !== 'deb') problems.push(`the deb's resources/package-type is ${packageType === null ? 'missing' : `"${packageType}"`}, not "deb"`);
    if (!existsSync(join(resources, 'apparmor-profile'))) problems.push('the deb holds no AppArmor profile: its sandbox fails on Ubuntu 24.04+');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

if (isMain(import.meta.url)) {
  const [appImage, deb] = process.argv.slice(2);
  if (appImage === undefined || deb === undefined) {
    console.error('usage: node dist/test/release/linux-packages.js <AppImage> <deb>');
    process.exit(2);
  }
  const problems = [...appImageProblems(appImage), ...debProblems(deb)];
  for (const problem of problems) console.error(`✖ ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`✔ ${appImage}: static runtime, no package-type; ${deb}: package-type deb and its AppArmor profile`);
}
