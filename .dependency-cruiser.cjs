/**
 * The layer rules of docs/ARCHITECTURE.md, checked by `npm run lint` (`depcruise src`).
 *
 * Generated from the table under "## Layers" at every run: each row names a folder or file of
 * src/ and, in its last column, the src/ modules it may import (backticked paths, "nothing" or
 * "everything"). Changing a layer means changing that table, so the document and the check cannot
 * drift apart. A top-level entry of src/ without a row fails the check too.
 */
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const ARCHITECTURE = join(__dirname, 'docs', 'ARCHITECTURE.md');

function escapeRegExp(path) {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `src/store/` → `^src/store/`; `src/config.ts` → `^src/config\.ts$`. */
function pattern(path) {
  return path.endsWith('/') ? `^${escapeRegExp(path)}` : `^${escapeRegExp(path)}$`;
}

/** The rows of the layer table: `{ from: 'src/store/', allowed: ['src/crypto/', …] | 'everything' }`. */
function layerRows() {
  const text = readFileSync(ARCHITECTURE, 'utf8');
  const section = text.slice(text.indexOf('## Layers'));
  const rows = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // '', first cell, …, last cell, '' for a table row.
    const from = /^`(src\/[^`]*)`$/.exec(cells[1] ?? '')?.[1];
    if (from === undefined) continue;
    const last = cells[cells.length - 2] ?? '';
    if (last === 'everything') rows.push({ from, allowed: 'everything' });
    else if (last === 'nothing') rows.push({ from, allowed: [] });
    else rows.push({ from, allowed: [...last.matchAll(/`(src\/[^`]*)`/g)].map((m) => m[1]) });
  }
  if (rows.length === 0) throw new Error(`no layer table found in ${ARCHITECTURE}`);
  return rows;
}

const rows = layerRows();

const covered = new Set(rows.map((row) => row.from));
const missing = readdirSync(join(__dirname, 'src'), { withFileTypes: true })
  .filter((entry) => !entry.name.endsWith('.test.ts') && entry.name !== 'README.md')
  .map((entry) => (entry.isDirectory() ? `src/${entry.name}/` : `src/${entry.name}`))
  .filter((path) => !covered.has(path));
if (missing.length > 0) {
  throw new Error(`docs/ARCHITECTURE.md's layer table has no row for ${missing.join(', ')}: add one.`);
}

const layerRules = rows
  .filter((row) => row.allowed !== 'everything')
  .map((row) => ({
    name: `layer:${row.from}`,
    comment: `${row.from} may import only ${row.allowed.length === 0 ? 'nothing of src/' : row.allowed.join(', ')} (docs/ARCHITECTURE.md)`,
    severity: 'error',
    from: { path: pattern(row.from) },
    to: { path: '^src/', pathNot: [pattern(row.from), ...row.allowed.map(pattern)] },
  }));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'An import cycle makes load order matter and layers meaningless.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'client-only-in-cli',
      comment:
        'The API client (client/src, imported as #client) talks to a server over HTTP: only the CLI uses it (docs/ARCHITECTURE.md).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^(client|dist/client)/' },
    },
    {
      name: 'no-test-code-in-src',
      comment: 'Test scaffolding lives in test/ and never ships (npm run build compiles src/).',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^test/' },
    },
  ],
  options: {
    // Type-only imports count: a store that imports an engine's type still depends on the engine.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `#client` resolves to client/src as in tsconfig.json (customConditions), not to a build.
    enhancedResolveOptions: { conditionNames: ['sellify-source', 'import', 'types', 'default'] },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
