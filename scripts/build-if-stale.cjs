#!/usr/bin/env node
// `npm start` builds only when a source file is newer than the last build, so a fresh clone
// builds once and later starts are instant.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const marker = join(root, 'dist', 'src', 'main.js');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else if (entry.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(
  newest(join(root, 'src')),
  newest(join(root, 'migrations')),
  newest(join(root, 'bench')),
  statSync(join(root, 'tsconfig.json')).mtimeMs,
  statSync(join(root, 'package-lock.json')).mtimeMs,
);
if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
  process.stderr.write('building (tsc)…\n');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: root,
  });
}
