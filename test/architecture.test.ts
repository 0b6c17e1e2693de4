/**
 * The dependency rule of docs/architecture.md, read from the import lines of src/:
 *
 *   composition roots (src/apps, src/cli) -> admin -> roles (platform, tool) -> kits -> lti
 *
 * A file may import its own layer or a lower one; the two roles never import each other; nothing
 * in src/ imports demo/, test/ or bench/. `findViolations` is exported so the test can show that a
 * wrong-way import is caught (a rule test that cannot fail would prove nothing).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layers from the bottom up; a folder prefix (or a file) names its layer. */
const LAYERS: Array<{ name: string; rank: number; paths: string[] }> = [
  { name: 'lti', rank: 0, paths: ['src/lti/'] },
  { name: 'kit', rank: 1, paths: ['src/pipeline/', 'src/web/', 'src/net/', 'src/input/', 'src/keys/', 'src/store/', 'src/server/', 'src/config.ts'] },
  { name: 'platform', rank: 2, paths: ['src/platform/'] },
  { name: 'tool', rank: 2, paths: ['src/tool/'] },
  { name: 'admin', rank: 3, paths: ['src/admin/'] },
  { name: 'app', rank: 4, paths: ['src/apps/', 'src/cli/', 'src/cli.ts'] },
];

export function layerOf(file: string): { name: string; rank: number } | null {
  for (const layer of LAYERS) {
    if (layer.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p))) return layer;
  }
  return null;
}

/** Relative module specifiers of a file: static imports, re-exports and dynamic import() calls. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]);
  return found.filter((s) => s.startsWith('.'));
}

export interface Violation {
  from: string;
  to: string;
  why: string;
}

/** Every wrong-way import among `files` (project-relative path → source text). */
export function findViolations(files: Map<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [from, source] of files) {
    const fromLayer = layerOf(from);
    if (!fromLayer) {
      violations.push({ from, to: '', why: 'belongs to no layer: put it in one of the folders of docs/architecture.md' });
      continue;
    }
    for (const spec of importsOf(source)) {
      const to = relative(ROOT, resolve(ROOT, dirname(from), spec)).split('\\').join('/');
      if (!to.startsWith('src/')) {
        violations.push({ from, to, why: 'src/ never imports demo/, test/ or bench/' });
        continue;
      }
      const toLayer = layerOf(to);
      if (!toLayer) continue; // reported once, as its own file
      if (toLayer.rank > fromLayer.rank) violations.push({ from, to, why: `${fromLayer.name} may not import ${toLayer.name} (a higher layer)` });
      else if (toLayer.rank === fromLayer.rank && toLayer.name !== fromLayer.name) violations.push({ from, to, why: `${fromLayer.name} and ${toLayer.name} never import each other` });
    }
  }
  return violations;
}

function sourcesUnder(dir: string, files = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) sourcesUnder(path, files);
    else if (path.endsWith('.ts')) files.set(path, readFileSync(join(ROOT, path), 'utf8'));
  }
  return files;
}

describe('the dependency rule (docs/architecture.md)', () => {
  it('holds for every file of src/', () => {
    const violations = findViolations(sourcesUnder('src')).map((v) => `${v.from} -> ${v.to || '(none)'}: ${v.why}`);
    expect(violations).toEqual([]);
  });

  it('catches a wrong-way import of each kind', () => {
    const wrong = new Map([
      ['src/lti/claims.ts', "import { x } from '../store/db.ts';"],
      ['src/store/db.ts', "import type { Tool } from '../platform/tools.ts';"],
      ['src/platform/tools.ts', "export { y } from '../tool/apps.ts';\nimport { f } from '../admin/fields.ts';"],
      ['src/tool/apps.ts', "const m = await import('../apps/gateway.ts');"],
      ['src/admin/auth.ts', "import { demo } from '../../demo/demo.ts';"],
      ['src/somewhere/else.ts', ''],
    ]);
    expect(findViolations(wrong).map((v) => [v.from, v.to, v.why.split(' (')[0]])).toEqual([
      ['src/lti/claims.ts', 'src/store/db.ts', 'lti may not import kit'],
      ['src/store/db.ts', 'src/platform/tools.ts', 'kit may not import platform'],
      ['src/platform/tools.ts', 'src/tool/apps.ts', 'platform and tool never import each other'],
      ['src/platform/tools.ts', 'src/admin/fields.ts', 'platform may not import admin'],
      ['src/tool/apps.ts', 'src/apps/gateway.ts', 'tool may not import app'],
      ['src/admin/auth.ts', 'demo/demo.ts', 'src/ never imports demo/, test/ or bench/'],
      ['src/somewhere/else.ts', '', 'belongs to no layer: put it in one of the folders of docs/architecture.md'],
    ]);
  });

  it('allows same-layer and downward imports', () => {
    const right = new Map([
      ['src/apps/launcher.ts', "import { a } from '../admin/platform/api.ts';\nimport { p } from '../platform/plugin.ts';"],
      ['src/admin/platform/api.ts', "import { t } from '../../platform/model/tools.ts';\nimport { w } from '../../web/html.ts';"],
      ['src/platform/model/tools.ts', "import { s } from '../../store/db.ts';\nimport { c } from '../../lti/claims.ts';"],
      ['src/web/html.ts', "import { n } from '../net/urlPolicy.ts';"],
    ]);
    expect(findViolations(right)).toEqual([]);
  });
});
