// Runs compiled test files again in a child `node --test`, with extra
// environment (a client mode), for the tests that repeat a whole scenario
// suite with legacy clients.
import { spawn } from 'node:child_process';

export interface RerunResult {
  readonly code: number | null;
  readonly output: string;
  /** The child's `ℹ pass N`, or 0 when it printed none. */
  readonly passed: number;
}

export function rerunTestFiles(files: readonly string[], env: Record<string, string>): Promise<RerunResult> {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT the child is a test run of its own, not a nested one.
    const { NODE_TEST_CONTEXT: _nested, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, passed: Number(/^ℹ pass (\d+)/m.exec(output)?.[1] ?? 0) }));
  });
}
