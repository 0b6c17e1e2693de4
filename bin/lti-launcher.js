#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (see bin/build.js) when it was built after the last change
// to any source file; otherwise runs the TypeScript sources through tsx, so an edited checkout never
// runs stale code and `npx lti-launcher` works right after `npm install` either way.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const SOURCE_DIRS = ['src', 'demo', 'examples'];

/** Newest modification time of a .ts file under dir (0 when there is none). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  const stamp = new URL('dist/BUILT', root);
  if (process.env.LTI_LAUNCHER_RUN_SOURCES === '1' || !existsSync(stamp)) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return SOURCE_DIRS.every((dir) => !existsSync(new URL(`${dir}/`, root)) || newestSource(new URL(`${dir}/`, root)) <= builtAt);
}

// A checkout has demo/, and its commands (`demo`, `idp`) join the service's; a published package has
// none, and src/ never imports demo/.
const hasDemo = existsSync(new URL('demo/commands.ts', root));
let cli;
let demo = null;
if (compiledIsCurrent()) {
  cli = await import('../dist/src/cli.js');
  if (hasDemo && existsSync(new URL('dist/demo/commands.js', root))) demo = await import('../dist/demo/commands.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli.ts');
  if (hasDemo) demo = await import('../demo/commands.ts');
}
process.exitCode = await cli.main(process.argv.slice(2), demo ? demo.withDemoCommands() : undefined);
