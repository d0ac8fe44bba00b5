// Two Linux network namespaces joined by a veth pair, for tests of what crosses
// a real network (multicast DNS): nothing they send leaves them. They need root
// and `ip` (iproute2). Where that is not allowed the tests are skipped, with the
// reason; with CI=true they fail instead, so CI never passes them silently.
import { test, type TestContext, type TestOptions } from 'node:test';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inCi } from './chromium.js';
import { onPath } from './podman.js';

function ip(args: readonly string[]): { status: number | null; stderr: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stderr: result.stderr ?? '' };
}

function ipOk(args: readonly string[]): void {
  const result = ip(args);
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
}

export function netnsSkipReason(): string | null {
  if (process.platform !== 'linux') return 'the network-namespace tests run on Linux';
  if (!onPath('ip')) return '`ip` not found (Debian: apt-get install iproute2)';
  if (process.getuid?.() !== 0) return 'the network-namespace tests need root (ip netns add)';
  const probe = `ahs-probe-${randomBytes(3).toString('hex')}`;
  const made = ip(['netns', 'add', probe]);
  if (made.status !== 0) return `network namespaces are not allowed here: ${made.stderr.trim().slice(0, 200)}`;
  ip(['netns', 'del', probe]);
  return null;
}

export interface NamespacePair {
  /** Namespace names, and each end's IPv4 address on the /24 between them. */
  readonly a: { readonly ns: string; readonly address: string; readonly device: string };
  readonly b: { readonly ns: string; readonly address: string; readonly device: string };
  remove(): void;
}

/** Two namespaces, a veth between them, addresses 10.231.N.1 and .2, multicast routed on the link. */
export function makeNamespacePair(): NamespacePair {
  const id = randomBytes(3).toString('hex');
  const net = `10.231.${randomBytes(1)[0]! % 250}`;
  const a = { ns: `ahs-a-${id}`, address: `${net}.1`, device: `va${id}` };
  const b = { ns: `ahs-b-${id}`, address: `${net}.2`, device: `vb${id}` };
  const remove = (): void => {
    ip(['netns', 'del', a.ns]);
    ip(['netns', 'del', b.ns]);
  };
  try {
    ipOk(['netns', 'add', a.ns]);
    ipOk(['netns', 'add', b.ns]);
    ipOk(['link', 'add', a.device, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.device, 'netns', b.ns]);
    for (const end of [a, b]) {
      ipOk(['-n', end.ns, 'link', 'set', 'lo', 'up']);
      ipOk(['-n', end.ns, 'addr', 'add', `${end.address}/24`, 'dev', end.device]);
      ipOk(['-n', end.ns, 'link', 'set', end.device, 'up']);
      ipOk(['-n', end.ns, 'route', 'add', '224.0.0.0/4', 'dev', end.device]);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { a, b, remove };
}

/** A test across two namespaces: skipped with the reason where not allowed; in CI it fails instead. */
export function netnsTest(name: string, options: TestOptions, fn: (t: TestContext, pair: NamespacePair) => Promise<void>): void {
  const reason = netnsSkipReason();
  if (reason !== null && !inCi()) {
    test(name, { ...options, skip: reason });
    return;
  }
  test(name, options, async (t) => {
    if (reason !== null) throw new Error(`${reason} (CI=true: the network-namespace tests must run)`);
    const pair = makeNamespacePair();
    t.after(() => pair.remove());
    await fn(t, pair);
  });
}
