/**
 * The writes a webhook batch holds back to its end — decisions, queued replies, send jobs, event
 * log entries — as one statement (issue 17). Each was already one multi-row INSERT per batch; four
 * statements are four round trips to PostgreSQL, four times the `pg` driver's work and four
 * wake-ups of a server on the same cores. They depend on nothing the others return, so they are
 * sent as data-modifying CTEs of one INSERT: `WITH w1 AS (INSERT …), w2 AS (INSERT …) INSERT …`.
 * PostgreSQL runs every sub-statement exactly once whether or not its result is referenced, and
 * checks foreign keys (a reply's decision) at the end of the whole statement, so a reply may
 * reference a decision inserted by a sibling CTE. One statement is atomic: any failure fails it
 * all, and the batch rolls back into its one-by-one fallback as before.
 *
 * The repositories write as usual into a collector (a Queryable that records instead of sending);
 * only INSERTs whose result the caller ignores may go through it.
 */

import type { Queryable, QueryResult } from '../store/index.ts';

export interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** PostgreSQL's bound on parameters per statement (a 16-bit count in the Bind message). */
export const MAX_PARAMS = 65_535;

/** A Queryable that records the statements sent to it and answers each with no rows. */
export function statementCollector(): Queryable & { readonly statements: Statement[] } {
  const statements: Statement[] = [];
  return {
    statements,
    query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      if (params === undefined || !/^\s*INSERT\s/i.test(text))
        return Promise.reject(new Error('only INSERT statements with parameters can be combined'));
      statements.push({ text, params });
      return Promise.resolve({ rows: [], affectedRows: 0 });
    },
  };
}

/**
 * `text` with every parameter `$n` renumbered `$(n + offset)`, leaving quoted literals and
 * identifiers untouched (the statements are the repositories' own, with no dollar quoting).
 */
export function shiftParams(text: string, offset: number): string {
  if (offset === 0) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '$') {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
      if (j > i + 1) {
        out += `$${Number(text.slice(i + 1, j)) + offset}`;
        i = j;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

/**
 * The statements as one: the last is the main statement, the others its CTEs, in order. Null if
 * they cannot be one (more parameters than a statement takes, or a statement that already has a
 * WITH clause of its own).
 */
export function combineStatements(statements: readonly Statement[]): Statement | null {
  if (statements.length === 0) return null;
  if (statements.length === 1) return statements[0]!;
  const params: unknown[] = [];
  const parts: string[] = [];
  for (const s of statements) {
    if (!/^\s*INSERT\s/i.test(s.text)) return null;
    parts.push(shiftParams(s.text.trim(), params.length));
    params.push(...s.params);
  }
  if (params.length > MAX_PARAMS) return null;
  const main = parts.pop()!;
  const ctes = parts.map((p, i) => `w${i + 1} AS (${p})`);
  return { text: `WITH ${ctes.join(', ')} ${main}`, params };
}

/**
 * Sends the statements in as few round trips as possible: one when they combine. `commit`: they
 * are the transaction's last, and when the transaction can send a statement with its COMMIT
 * (Queryable.queryThenCommit, PostgreSQL) the combined statement goes with it, one round trip
 * for both; the transaction must then send nothing more.
 */
export async function runCombined(
  tx: Queryable,
  statements: readonly Statement[],
  options: { commit?: boolean } = {},
): Promise<void> {
  const combined = combineStatements(statements);
  if (combined !== null) {
    if (options.commit === true && tx.queryThenCommit !== undefined)
      await tx.queryThenCommit(combined.text, [...combined.params]);
    else await tx.query(combined.text, [...combined.params]);
    return;
  }
  for (const s of statements) await tx.query(s.text, [...s.params]);
}
