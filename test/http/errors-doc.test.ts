import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES, isErrorCode } from '../../src/http/errors.ts';

interface DocRow {
  code: string;
  status: number;
  title: string;
}

/** The rows of the table under "## Codes": | `code` | status | title | when | what to do | */
function documentedCodes(markdown: string): DocRow[] {
  const section = markdown.split(/^## Codes$/m)[1];
  if (section === undefined) throw new Error('docs/errors.md has no "## Codes" section');
  const rows: DocRow[] = [];
  for (const line of section.split('\n')) {
    const m = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*([^|]+?)\s*\|([^|]+)\|([^|]+)\|\s*$/.exec(line);
    if (m) rows.push({ code: m[1] ?? '', status: Number(m[2]), title: m[3] ?? '' });
    else if (line.startsWith('| `')) throw new Error(`malformed row in docs/errors.md: ${line}`);
  }
  return rows;
}

const rows = documentedCodes(readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8'));

describe('docs/errors.md', () => {
  it('documents every code of the catalogue', () => {
    const documented = new Set(rows.map((r) => r.code));
    expect(ERROR_CODES.filter((c) => !documented.has(c))).toEqual([]);
  });

  it('documents no code that is not in the catalogue', () => {
    expect(rows.map((r) => r.code).filter((c) => !isErrorCode(c))).toEqual([]);
  });

  it('documents each code once', () => {
    const codes = rows.map((r) => r.code);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });

  it('gives each code the status and title of the catalogue', () => {
    for (const row of rows) {
      if (!isErrorCode(row.code)) continue;
      expect({ code: row.code, status: row.status, title: row.title }).toEqual({
        code: row.code,
        status: ERROR_CATALOGUE[row.code].status,
        title: ERROR_CATALOGUE[row.code].title,
      });
    }
  });
});

describe('the error catalogue', () => {
  it('uses only 4xx and 5xx statuses, and 5xx only for server-side causes', () => {
    for (const code of ERROR_CODES) {
      const { status } = ERROR_CATALOGUE[code];
      expect(status >= 400 && status <= 599, code).toBe(true);
      // gateway_error (502): the channel's own Evolution/WAHA server failed behind the pairing proxy.
      if (status >= 500) expect(['internal_error', 'unavailable', 'gateway_error']).toContain(code);
    }
  });

  it('names codes in snake_case', () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
