import { describe, expect, it } from 'vitest';
import { combineStatements, MAX_PARAMS, shiftParams, statementCollector } from './statements.ts';

describe('shiftParams', () => {
  const cases: { name: string; text: string; offset: number; want: string }[] = [
    {
      name: 'leaves a statement alone at offset 0',
      text: 'VALUES ($1, $2)',
      offset: 0,
      want: 'VALUES ($1, $2)',
    },
    {
      name: 'renumbers every parameter, multi-digit ones whole',
      text: 'VALUES ($1, $2::int, $10, coalesce($12::timestamptz, now()))',
      offset: 16,
      want: 'VALUES ($17, $18::int, $26, coalesce($28::timestamptz, now()))',
    },
    {
      name: 'leaves quoted literals and identifiers untouched',
      text: `SELECT '$1', "a$2", $3 || 'it''s $4'`,
      offset: 5,
      want: `SELECT '$1', "a$2", $8 || 'it''s $4'`,
    },
    { name: 'leaves a lone dollar sign alone', text: 'x $ y $a $1', offset: 1, want: 'x $ y $a $2' },
  ];
  for (const c of cases) it(c.name, () => expect(shiftParams(c.text, c.offset)).toBe(c.want));
});

describe('combineStatements', () => {
  it('makes the last statement the main one and the others its CTEs, parameters in order', () => {
    const combined = combineStatements([
      { text: 'INSERT INTO a (x) VALUES ($1), ($2)', params: [1, 2] },
      { text: '\n  INSERT INTO b (y) SELECT * FROM unnest($1::int[]) RETURNING y', params: [[3]] },
      { text: 'INSERT INTO c (z) VALUES ($1)', params: ['z'] },
    ]);
    expect(combined).toEqual({
      text:
        'WITH w1 AS (INSERT INTO a (x) VALUES ($1), ($2)), ' +
        'w2 AS (INSERT INTO b (y) SELECT * FROM unnest($3::int[]) RETURNING y) ' +
        'INSERT INTO c (z) VALUES ($4)',
      params: [1, 2, [3], 'z'],
    });
  });

  it('passes one statement through and answers null for none', () => {
    const one = { text: 'INSERT INTO a (x) VALUES ($1)', params: [1] };
    expect(combineStatements([one])).toBe(one);
    expect(combineStatements([])).toBeNull();
  });

  it('refuses what one statement cannot hold: more parameters than a Bind carries, or a non-INSERT', () => {
    const half = Math.ceil((MAX_PARAMS + 1) / 2);
    const big = { text: 'INSERT INTO a (x) SELECT unnest($1::int[])', params: new Array(half).fill(0) };
    expect(combineStatements([big, big])).toBeNull();
    expect(
      combineStatements([
        { text: 'INSERT INTO a (x) VALUES ($1)', params: [1] },
        { text: 'UPDATE a SET x = $1', params: [2] },
      ]),
    ).toBeNull();
  });
});

describe('statementCollector', () => {
  it('records INSERTs with parameters and refuses anything else', async () => {
    const c = statementCollector();
    await expect(c.query('INSERT INTO a (x) VALUES ($1)', [1])).resolves.toEqual({
      rows: [],
      affectedRows: 0,
    });
    await expect(c.query('SELECT 1', [])).rejects.toThrow(/only INSERT/);
    await expect(c.query('INSERT INTO a (x) VALUES (1)')).rejects.toThrow(/only INSERT/);
    expect(c.statements).toEqual([{ text: 'INSERT INTO a (x) VALUES ($1)', params: [1] }]);
  });
});
