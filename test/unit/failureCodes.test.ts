/**
 * The failure-code catalogue (src/lti/failureCodes.ts) against the README's troubleshooting table,
 * which people and API clients read, and against the source that raises the codes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAILURE_CODES, isAnonymous, isFailureCode } from '../../src/lti/failureCodes.ts';
import { LtiError, badRequest, forbidden, unauthorized } from '../../src/lti/errors.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Which role's status a README row gives: rows marked "(gateway)" are the gateway's, the others the launcher's or either role's. */
type Side = 'launcher' | 'gateway';

interface Row {
  codes: string[];
  statuses: number[];
  side: Side;
  line: string;
}

/** The rows of the table `| code | status | what it means / what to do |` under "## Troubleshooting launches". */
function troubleshootingRows(readme: string): Row[] {
  const section = readme.split(/^## Troubleshooting launches$/m)[1]?.split(/^## /m)[0] ?? '';
  const lines = section.split('\n');
  const header = lines.findIndex((l) => /^\| code \| status \|/.test(l));
  if (header < 0) return [];
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [codeCell, statusCell, text] = line.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|$/g, ''));
    rows.push({
      codes: [...codeCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
      statuses: statusCell.split('/').map(Number),
      side: text.startsWith('(gateway)') ? 'gateway' : 'launcher',
      line,
    });
  }
  return rows;
}

/** The status the catalogue gives `code` on one side, or undefined for a code it does not have. */
function catalogueStatus(code: string, side: Side): number | undefined {
  if (!isFailureCode(code)) return undefined;
  const entry = FAILURE_CODES[code];
  return 'status' in entry ? entry.status : entry[side].status;
}

/** The errors found in the table: each names its row. */
function tableProblems(rows: Row[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (row.codes.length === 0) problems.push(`a row names no code: ${row.line}`);
    if (row.statuses.length !== 1 && row.statuses.length !== row.codes.length) {
      problems.push(`give one status, or one per code: ${row.line}`);
    }
    row.codes.forEach((code, i) => {
      const status = row.statuses.length === 1 ? row.statuses[0] : row.statuses[i];
      const expected = catalogueStatus(code, row.side);
      if (expected === undefined) return problems.push(`${code} is not in the catalogue: ${row.line}`);
      if (status !== expected) problems.push(`${code} is answered ${expected}, not ${status}: ${row.line}`);
      if (!isFailureCode(code)) return;
      const entry = FAILURE_CODES[code];
      // A code of one role sits on its side; one each role answers with its own status has a row on each.
      if ('status' in entry && (entry.role === 'gateway') !== (row.side === 'gateway')) {
        problems.push(`${code} is a ${entry.role} code: mark its row "(gateway)" exactly when it is the gateway's: ${row.line}`);
      }
      const key = 'status' in entry ? code : `${code} (${row.side})`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    });
  }
  for (const [code, entry] of Object.entries(FAILURE_CODES)) {
    const keys = 'status' in entry ? [code] : [`${code} (launcher)`, `${code} (gateway)`];
    for (const key of keys) {
      const count = seen.get(key) ?? 0;
      if (count !== 1) problems.push(`${key} is in ${count} rows of the table, not one`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the failure-code catalogue', () => {
  const rows = troubleshootingRows(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('is the README’s troubleshooting table: every code once, with its status, on its role’s side', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(tableProblems(rows)).toEqual([]);
  });

  it('finds a table that names a code twice, a wrong status, an unknown code, or a row on the wrong side', () => {
    const row = (line: string) => troubleshootingRows(`## Troubleshooting launches\n\n| code | status | what it means / what to do |\n|---|---|---|\n${line}\n`);
    const good = rows.map((r) => r.line).join('\n');
    expect(tableProblems(row(good))).toEqual([]);
    expect(tableProblems(row(`${good}\n| \`tool_unknown\` | 404 | again |`))).toContain('tool_unknown is in 2 rows of the table, not one');
    expect(tableProblems(row(good.replace('| `tool_unknown` | 404 |', '| `tool_unknown` | 400 |')))[0]).toMatch(/^tool_unknown is answered 404, not 400/);
    expect(tableProblems(row(`${good}\n| \`tool_vanished\` | 404 | no such code |`))[0]).toMatch(/^tool_vanished is not in the catalogue/);
    expect(tableProblems(row(good.replace('| (gateway) the hand-off code', '| the hand-off code')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^handoff_unknown is a gateway code/)]),
    );
    // A code each role answers with its own status is listed once per role.
    const launcherStateRow = rows.find((r) => r.side === 'launcher' && r.codes.includes('state_used'))!.line;
    expect(tableProblems(row(good.replace(launcherStateRow, '')))).toContain('state_used (launcher) is in 0 rows of the table, not one');
  });

  it('has no code the service does not raise', () => {
    const source = sourceFiles(join(ROOT, 'src'))
      .filter((f) => !f.endsWith(join('lti', 'failureCodes.ts')))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unused = Object.keys(FAILURE_CODES).filter((code) => !source.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('marks as anonymous the failures that say a request names nothing this service knows', () => {
    const anonymous = Object.keys(FAILURE_CODES).filter(isAnonymous).sort();
    expect(anonymous).toEqual([
      'api_key_invalid', 'app_unknown', 'auth_client_unknown', 'client_unknown', 'platform_unknown',
      'registration_removed', 'registration_unknown', 'tool_removed', 'tool_unknown',
    ]);
  });

  it('gives an error the status of its code', () => {
    expect(unauthorized('state_used', 'Used.').status).toBe(401);
    expect(forbidden('state_used', 'Used.').status).toBe(403);
    expect(badRequest('request_invalid', 'Bad.').status).toBe(400);
    expect(new LtiError('request_invalid', 415, 'Not a body type we read.').status).toBe(415);
  });
});

/**
 * Never called: the typecheck (`npm run typecheck`) fails if the catalogue stops refusing these,
 * so a code cannot be raised with a status other than its own, nor a code outside the catalogue.
 */
export function refusedAtCompileTime(): void {
  // @ts-expect-error state_used is 401 (gateway) or 403 (launcher), never 400
  badRequest('state_used', 'Used.');
  // @ts-expect-error platform_unknown is a 404
  unauthorized('platform_unknown', 'Unknown.');
  // @ts-expect-error internal_error is a 500
  new LtiError('internal_error', 503, 'Broken.');
  // @ts-expect-error not a code of the catalogue
  new LtiError('tool_vanished', 404, 'Gone.');
}
