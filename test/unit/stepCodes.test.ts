import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A step's `codes` say which failures it ends a request with (docs/architecture.md, the README's
 * troubleshooting table). Each file of an endpoint's `actions/` folder is read as text: every code
 * it throws itself (`new LtiError('x'`, `badRequest('x'`, …) must be among the codes its steps
 * declare, so the declarations cannot drift from the code. Codes thrown by the functions a step
 * calls (src/lti's checks, the repositories) are declared by hand and not seen here.
 */
const ROOTS = ['src/platform/actions', 'src/tool/actions'];
const THROWN = /(?:new LtiError|badRequest|unauthorized|forbidden|notFound|badGateway|unavailable)\(\s*'([a-z_]+)'/g;
const DECLARED = /codes:\s*\[([^\]]*)\]/g;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export function undeclaredCodes(source: string): string[] {
  const thrown = new Set([...source.matchAll(THROWN)].map((m) => m[1]!));
  const declared = new Set([...source.matchAll(DECLARED)].flatMap((m) => [...m[1]!.matchAll(/'([a-z_]+)'/g)].map((c) => c[1]!)));
  return [...thrown].filter((code) => !declared.has(code)).sort();
}

describe('the codes each step declares', () => {
  it('include every code the step throws itself, in both roles', () => {
    const files = ROOTS.flatMap((root) => filesUnder(root));
    expect(files.length).toBeGreaterThan(30);
    const problems = files.flatMap((file) => undeclaredCodes(readFileSync(file, 'utf8')).map((code) => `${relative('.', file)}: throws ${code}, not in its codes`));
    expect(problems).toEqual([]);
  });

  it('catches a step that throws a code it does not declare', () => {
    const step = "export const s = { name: 'x', codes: ['state_used'], run() { throw forbidden('state_used', 'a'); throw badRequest('state_missing', 'b'); } };";
    expect(undeclaredCodes(step)).toEqual(['state_missing']);
  });
});
