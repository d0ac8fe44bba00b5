// Issue 23, item 5: no module of src-main reaches itself again through its
// imports. A circle makes every file on it a part of every other (none can be
// read, tested or moved alone) and, in ESM, one of them runs before what it
// imports is defined. Checked on the sources, so `import type` counts too: a
// type circle is the same knot, only not yet a failure at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { filesBelow } from '../support/files-below.js';
import { REPO_ROOT } from '../support/fixture-paths.js';

const SOURCES = join(REPO_ROOT, 'src-main');
/** Static imports and re-exports (`import type` too), side-effect imports, dynamic imports. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Each source file's relative imports, resolved to source files (`./x.js` is `./x.ts`). */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const path of filesBelow(root, /\.c?ts$/)) {
    const targets = [...readFileSync(path, 'utf8').matchAll(SPECIFIER)].map((match) =>
      resolve(dirname(path), match[1]!.replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts')),
    );
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

/** The circles of a graph: its strongly connected components of more than one file, or a file importing itself (Tarjan). */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

test('src-main has no import circle, type imports included', () => {
  const graph = importGraph(SOURCES);
  const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
  assert.ok(graph.size >= 100 && edges >= 300, `the resolver sees the sources (${graph.size} files, ${edges} imports)`);
  const unresolved = [...graph].flatMap(([file, targets]) =>
    targets
      .filter((target) => !existsSync(target) && !existsSync(target.replace(/\.ts$/, '.d.ts')))
      .map((target) => `${relative(SOURCES, file)} → ${relative(SOURCES, target)}`),
  );
  assert.deepEqual(unresolved, [], 'every relative import names a source file (or generated declarations)');
  const circles = importCircles(graph).map((circle) => circle.map((file) => relative(SOURCES, file).replace(/\\/g, '/')));
  assert.deepEqual(circles, []);
});

test('the circle finder finds a circle, a self-import and none in a chain', () => {
  const chain = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', []],
  ]);
  assert.deepEqual(importCircles(chain), []);
  const knotted = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', ['d']],
  ]);
  assert.deepEqual(
    importCircles(knotted).sort((x, y) => x.length - y.length),
    [['d'], ['a', 'b', 'c']],
  );
});
