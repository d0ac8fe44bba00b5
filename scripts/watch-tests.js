// `npm run test:watch`: recompiles on every save (tsc --watch) and reruns the
// unit tests whose files or imports changed (node --test --watch). Ctrl-C stops both.
// A filter narrows the tests as with run-tests.js: npm run test:watch -- media
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const filter = process.argv[2];
const tsc = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'], {
  stdio: 'inherit',
});
let tests = null;
const startTests = async () => {
  if (!existsSync('dist/test')) return setTimeout(startTests, 500);
  const { collectTests } = await import('./test-files.js');
  const files = collectTests('dist/test', { fast: true, filter });
  tests = spawn(process.execPath, ['--test', '--watch', '--test-reporter=spec', ...files], { stdio: 'inherit' });
};
void startTests();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    tsc.kill();
    tests?.kill();
    process.exit(0);
  });
}
