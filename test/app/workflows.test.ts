// The GitHub workflows, checked offline: each is valid against GitHub's schema
// (@action-validator/cli) and uses the current major of each action; CI runs on
// the three systems with Node 24 and runs what .ci/run runs plus the Electron
// smoke test; a release checks its tag, builds every installer, installs and
// starts each as users do, drives its window, proves an update, and publishes
// only once every update file names an uploaded asset. The scripts these steps
// run are tested in test/release/; what only GitHub's machines can prove is
// listed in CONTRIBUTING.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/fixture-paths.js';

const require = createRequire(join(REPO_ROOT, 'package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly 'runs-on': string;
  readonly strategy?: { matrix: Record<string, unknown> };
  readonly steps: Step[];
  readonly env?: Record<string, string>;
  readonly needs?: string;
  readonly permissions?: Record<string, string>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

function load(name: string): Workflow {
  return yaml.load(readFileSync(join(WORKFLOWS, name), 'utf8')) as Workflow;
}

const runs = (job: Job): string => job.steps.map((s) => s.run ?? '').join('\n');

test('every workflow is valid against the GitHub Actions schema', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
  assert.deepEqual(files.sort(), ['ci.yml', 'release.yml']);
  const validator = require.resolve('@action-validator/cli/cli.mjs');
  for (const file of files) {
    const result = spawnSync(process.execPath, [validator, join(WORKFLOWS, file)], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${file}:\n${result.stdout}${result.stderr}`);
  }
});

test('the validator does catch a broken workflow', () => {
  // A step with an unknown key: if this passed, the check above would prove nothing.
  const validator = require.resolve('@action-validator/cli/cli.mjs');
  const broken = join(REPO_ROOT, 'test', 'fixtures', 'broken-workflow.yml');
  const result = spawnSync(process.execPath, [validator, broken], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stdout + result.stderr, /Additional property 'foo' is not allowed/);
});

test('CI: every push and pull request, three systems, Node 24, what .ci/run runs, and the Electron smoke test required', () => {
  const ci = load('ci.yml');
  assert.ok('push' in ci.on && 'pull_request' in ci.on);
  const job = ci.jobs['test']!;
  assert.deepEqual(job.strategy?.matrix['os'], ['ubuntu-latest', 'windows-latest', 'macos-latest']);
  const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
  assert.equal(node?.with?.['node-version'], 24);
  const commands = runs(job);
  for (const command of ['npm ci', 'npm run lint', 'npm run format:check', 'npm run typecheck', 'npm test']) {
    assert.ok(commands.includes(command), `runs ${command}`);
  }
  // The README's test command is what CI runs.
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /npm test/);
  assert.equal(job.env?.['ELECTRON_SMOKE'], 'required', 'the smoke test may not skip there');
  assert.match(commands, /xvfb-run --auto-servernum npm test/, 'Linux has a display for Electron');
  assert.match(commands, /ifconfig lo0 alias 127\.0\.0\.\$i/, 'macOS gets the loopback addresses the attack tests use');
  // Windows' runners check out CRLF (core.autocrlf=true) unless the repository says LF: the format check would fail there.
  const attributes = readFileSync(join(REPO_ROOT, '.gitattributes'), 'utf8');
  assert.match(attributes, /^\* text=auto eol=lf$/m, 'every checkout has LF line endings, Windows too');
});

/**
 * The current major of each action we use (their releases, September 2026): checkout v7,
 * setup-node v7 and upload-artifact v7 run on Node 24; download-artifact v8 pairs with
 * upload-artifact v7. Older majors run on Node 20, which GitHub's runners drop.
 */
const CURRENT_ACTIONS: Readonly<Record<string, string>> = {
  'actions/checkout': 'v7',
  'actions/setup-node': 'v7',
  'actions/upload-artifact': 'v7',
  'actions/download-artifact': 'v8',
  // Docker's actions for the image job (their releases, autumn 2026).
  'docker/setup-qemu-action': 'v4',
  'docker/setup-buildx-action': 'v4',
  'docker/build-push-action': 'v7',
  'docker/login-action': 'v4',
  'docker/metadata-action': 'v6',
};

test('every workflow uses the current major of each action', () => {
  for (const file of ['ci.yml', 'release.yml']) {
    for (const [name, job] of Object.entries(load(file).jobs)) {
      for (const step of job.steps.filter((s) => s.uses !== undefined)) {
        const [action, version] = step.uses!.split('@') as [string, string];
        assert.ok(action in CURRENT_ACTIONS, `${file} ${name}: ${action} is not one we know the current major of`);
        assert.equal(version, CURRENT_ACTIONS[action], `${file} ${name}: ${step.uses}`);
      }
    }
  }
});

function step(job: Job, pattern: RegExp): Step {
  const found = job.steps.find((s) => pattern.test(s.run ?? ''));
  assert.ok(found, `a step runs ${pattern}`);
  return found;
}

test("release: the tag must be package.json's version before anything is built", () => {
  const release = load('release.yml');
  assert.deepEqual(release.on['push'], { tags: ['v*.*.*'] });
  assert.match(runs(release.jobs['version']!), /node dist\/test\/release\/tag-version\.js "\$GITHUB_REF_NAME"/);
  assert.equal(release.jobs['installers']!.needs, 'version');
});

test('release: each system builds its installers; Linux builds the deb and the AppImage in separate runs and checks them', () => {
  const build = load('release.yml').jobs['installers']!;
  assert.deepEqual((build.strategy?.matrix['os'] as string[]).sort(), ['macos-latest', 'ubuntu-latest', 'windows-latest']);
  const commands = runs(build);
  assert.match(commands, /npx electron-builder --win nsis --publish never\n/);
  assert.match(commands, /npx electron-builder --mac dmg zip --publish never \$MAC_SIGNING_ARGS/);
  assert.match(commands, /npx electron-builder --linux deb --publish never -c\.directories\.output=release\/deb\n/);
  assert.match(commands, /npx electron-builder --linux AppImage --publish never -c\.directories\.output=release\/appimage\n/);
  assert.doesNotMatch(commands, /--linux (AppImage deb|deb AppImage)/, 'never in one run');
  assert.match(commands, /update-info\.js release\/latest-linux\.yml release\/appimage\/latest-linux\.yml release\/deb\/latest-linux\.yml/);
  assert.match(commands, /node dist\/test\/release\/linux-packages\.js release\/\*\.AppImage release\/\*\.deb/);
});

test('release: macOS is signed and notarized with the five secrets, ad hoc without, and its signature is verified', () => {
  const build = load('release.yml').jobs['installers']!;
  const signing = step(build, /node dist\/test\/release\/mac-signing\.js/);
  for (const secret of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER']) {
    assert.equal((signing as Step & { env?: Record<string, string> }).env?.[secret], `\${{ secrets.${secret} }}`);
  }
  assert.match(runs(build), /codesign --verify --deep --strict --verbose=2 "release\/mac-arm64\/Anki Home Sync\.app"/);
  assert.equal(step(build, /spctl --assess/).if, "runner.os == 'macOS' && env.MAC_SIGNED == 'true'");
});

test('release: what users install is installed and started on each system, never with --no-sandbox', () => {
  const build = load('release.yml').jobs['installers']!;
  const commands = runs(build);
  assert.doesNotMatch(commands, /--no-sandbox/);
  for (const script of ['installed-app.ts', 'smoke-installed.ts', 'drive-window.ts', 'update-proof.ts']) {
    assert.doesNotMatch(readFileSync(join(REPO_ROOT, 'test', 'release', script), 'utf8'), /['"`]--no-sandbox/, `${script} never passes it`);
  }
  // Linux: apt installs the deb; it starts from /opt, sandboxed; the AppImage starts without libfuse2.
  assert.match(commands, /sudo apt-get install -y \.\/release\/\*\.deb/);
  // With Ubuntu 24.04's restriction on, whatever the runner image set: the deb's start then proves its AppArmor profile.
  assert.match(
    commands,
    /sudo sysctl -w kernel\.apparmor_restrict_unprivileged_userns=1\n[\s\S]*smoke-installed\.js "\/opt\/Anki Home Sync\/anki-home-sync"/,
  );
  assert.match(commands, /xvfb-run --auto-servernum node dist\/test\/release\/smoke-installed\.js "\/opt\/Anki Home Sync\/anki-home-sync"/);
  // Removed one name at a time (apt refuses a whole command for one unknown name, and `|| true` hid that),
  // and checked gone before the AppImage starts.
  assert.match(
    commands,
    /for package in libfuse2 libfuse2t64; do sudo apt-get remove -y "\$package" \|\| true; done\n[^\n]*ldconfig -p \| grep -q 'libfuse\\\.so\\\.2'[^\n]*exit 1[\s\S]*smoke-installed\.js release\/\*\.AppImage/,
  );
  // Windows: NSIS silently; the firewall rule is there, and gone after the uninstall.
  assert.match(commands, /Start-Process -Wait -FilePath \$installer\.FullName -ArgumentList '\/S', "\/D=\$env:RUNNER_TEMP\\ahs"/);
  assert.match(commands, /smoke-installed\.js "\$RUNNER_TEMP\/ahs\/Anki Home Sync\.exe"/);
  assert.match(commands, /Uninstall Anki Home Sync\.exe[\s\S]*the uninstaller left the firewall rule/);
  // macOS: the DMG mounted.
  assert.match(commands, /hdiutil attach -nobrowse -readonly -mountpoint \/Volumes\/AnkiHomeSync release\/\*\.dmg/);
  assert.match(commands, /smoke-installed\.js "\/Volumes\/AnkiHomeSync\/Anki Home Sync\.app\/Contents\/MacOS\/Anki Home Sync"/);
});

test('release: the packaged window is driven over CDP on each system, with a full sync through it', () => {
  const commands = runs(load('release.yml').jobs['installers']!);
  for (const [exe, shot] of [
    ['"\\$RUNNER_TEMP/ahs/Anki Home Sync\\.exe"', 'packaged-windows'],
    ['"/Volumes/AnkiHomeSync/Anki Home Sync\\.app/Contents/MacOS/Anki Home Sync"', 'packaged-macos'],
    ['"/opt/Anki Home Sync/anki-home-sync"', 'packaged-linux'],
  ] as const) {
    assert.match(commands, new RegExp(`node dist/test/release/drive-window\\.js ${exe} test/artifacts/${shot}\\.png`));
  }
});

test('release: an older NSIS and AppImage build update themselves to this release; macOS too when signed', () => {
  const build = load('release.yml').jobs['installers']!;
  const commands = runs(build);
  assert.equal((commands.match(/node dist\/test\/release\/update-proof\.js config "\$RUNNER_TEMP\/update-proof\.yml"/g) ?? []).length, 3);
  assert.match(commands, /npx electron-builder --win nsis --publish never --config "\$RUNNER_TEMP\/update-proof\.yml"/);
  assert.match(commands, /npx electron-builder --linux AppImage --publish never --config "\$RUNNER_TEMP\/update-proof\.yml"/);
  assert.equal(step(build, /update-proof\.js run nsis release-old\/\*-setup-\*\.exe release/).if, "runner.os == 'Windows'");
  assert.equal(step(build, /update-proof\.js run appimage release-old\/\*\.AppImage release/).if, "runner.os == 'Linux'");
  assert.equal(step(build, /update-proof\.js run mac release-old\/\*\.zip release/).if, "runner.os == 'macOS' && env.MAC_SIGNED == 'true'");
});

test('release: published only once every latest*.yml url matches an uploaded asset and SHA256SUMS.txt names the installers', () => {
  const release = load('release.yml');
  const publish = release.jobs['publish']!;
  assert.equal(publish.needs, 'installers');
  assert.deepEqual(publish.permissions, { contents: 'write' });
  const ordered = publish.steps.map((s) => s.run ?? '');
  const at = (pattern: RegExp) => {
    const index = ordered.findIndex((command) => pattern.test(command));
    assert.ok(index >= 0, `publish runs ${pattern}`);
    return index;
  };
  const sums = at(/sha256sum -- \*\.exe \*\.dmg \*\.zip \*\.AppImage \*\.deb > SHA256SUMS\.txt/);
  const local = at(/^node dist\/test\/release\/release-files\.js release$/);
  const draft = at(/gh release create "\$GITHUB_REF_NAME" release\/\* --draft/);
  const uploaded = at(/gh release view[\s\S]*release-files\.js release --uploaded "\$RUNNER_TEMP\/assets\.txt"/);
  const published = at(/gh release edit "\$GITHUB_REF_NAME" --repo "\$GITHUB_REPOSITORY" --draft=false/);
  assert.ok(
    sums < local && local < draft && draft < uploaded && uploaded < published,
    'checked, uploaded as a draft, checked again, then published',
  );
  const download = publish.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
  assert.equal(download?.with?.['pattern'], 'installers-*', 'the screenshots are not release assets');
});

test('release: a version tag builds the container image for amd64 and arm64 from the official Node 24 slim image, tries it, and pushes it to ghcr.io with provenance', () => {
  const release = load('release.yml');
  const job = release.jobs['image'] as Job & { permissions?: Record<string, string> };
  assert.ok(job, 'an image job');
  assert.equal(job.permissions?.['packages'], 'write', 'may push to ghcr.io');
  const uses = (prefix: string): Step[] => job.steps.filter((s) => s.uses?.startsWith(prefix));
  assert.match(runs(job), /npm run build/, 'dist/ is built before the image');
  assert.equal(uses('docker/setup-qemu-action@').length, 1, 'arm64 under QEMU');
  const builds = uses('docker/build-push-action@');
  const pushed = builds.find((s) => s.with?.['push'] === true);
  assert.ok(pushed, 'a build that pushes');
  assert.equal(pushed.with?.['file'], 'Containerfile');
  assert.equal(pushed.with?.['platforms'], 'linux/amd64,linux/arm64');
  assert.match(String(pushed.with?.['provenance']), /^(true|mode=max)$/);
  // The amd64 image is started and stopped before anything is pushed.
  const tried = builds.find((s) => s.with?.['load'] === true);
  assert.ok(tried && job.steps.indexOf(tried) < job.steps.indexOf(pushed));
  assert.match(runs(job), /docker exec smoke anki-home-sync --healthcheck/);
  assert.match(runs(job), /docker inspect --format '\{\{\.State\.ExitCode\}\}' smoke\)" = 0/);
  const meta = uses('docker/metadata-action@')[0];
  assert.match(String(meta?.with?.['images']), /^ghcr\.io\//);
  const tags = String(meta?.with?.['tags']);
  for (const tag of ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=raw,value=latest']) {
    assert.ok(tags.includes(tag), `tags ${tag}`);
  }
  assert.match(runs(job), /test "\$size" -le 100000000/, 'the 100 MB bar, checked on what was pushed');
  // The same file builds here with podman from our own base; on GitHub from the official image.
  const containerfile = readFileSync(join(REPO_ROOT, 'Containerfile'), 'utf8');
  assert.match(containerfile, /^ARG BASE=docker\.io\/library\/node:24-bookworm-slim$/m);
  assert.match(containerfile, /^ARG BUILD_BASE=docker\.io\/library\/node:24-bookworm-slim$/m);
});

test("CONTRIBUTING.md says how to run by hand each check that only GitHub's machines run", () => {
  const contributing = readFileSync(join(REPO_ROOT, 'CONTRIBUTING.md'), 'utf8');
  const byHand = /\n### Running the release's checks by hand\n([\s\S]*?)(\n## |$)/.exec(contributing)?.[1] ?? '';
  assert.notEqual(byHand, '', 'CONTRIBUTING.md has the section');
  const release = load('release.yml');
  const commands = Object.values(release.jobs).map(runs).join('\n');
  // Every script of test/release/ that a release step runs.
  const scripts = [...new Set(commands.match(/dist\/test\/release\/[a-z-]+\.js/g) ?? [])];
  assert.ok(scripts.length >= 7, `the release runs its scripts: ${scripts.join(', ')}`);
  for (const script of scripts) assert.ok(byHand.includes(`node ${script}`), `CONTRIBUTING.md says how to run ${script}`);
  // And each check written straight into a step of release.yml or ci.yml.
  for (const [check, words] of [
    ['the macOS signature', 'codesign --verify --deep --strict'],
    ['Gatekeeper', 'spctl --assess --type execute'],
    ['the Windows firewall rule', 'netsh advfirewall firewall show rule name="Anki Home Sync"'],
    ['the Electron smoke test', 'ELECTRON_SMOKE=required'],
    ["the window's tests in the runner's Chrome", 'CHROMIUM_PATH='],
    ['the container image', 'docker build -f Containerfile'],
  ] as const) {
    assert.ok(byHand.includes(words), `CONTRIBUTING.md says how to run ${check} by hand (${words})`);
  }
});
