/**
 * Issue 15's 500 was one case of a class: a JSON body nested deeply enough to overflow a recursive
 * walk (the idempotency hash), on a route whose schema did not refuse it first. The body-depth
 * check (src/http/plugins/body-depth.ts) runs before validation on every route; this walks every
 * operation of the OpenAPI document that takes a body and shows none answers a 5xx to one, with or
 * without an Idempotency-Key, and that every documented body shape fits under the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../src/http/plugins/body-depth.ts';
import { createWorld, problem, type World } from './helpers.ts';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

interface Operation {
  method: string;
  path: string;
  body?: Schema;
}

let w: World;
let operations: Operation[];

beforeAll(async () => {
  w = await createWorld();
  const doc = (await w.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema: Schema }> } }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const body = op.requestBody?.content?.['application/json']?.schema;
      return { method: method.toUpperCase(), path, ...(body ? { body } : {}) };
    }),
  );
});

afterAll(async () => {
  await w?.close();
});

/** The deepest nesting a schema allows (free-form values count as one level). */
function schemaDepth(s: Schema | undefined): number {
  if (s === undefined) return 0;
  let depth = 0;
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])])
    depth = Math.max(depth, schemaDepth(branch));
  if (s.type === 'object' || s.properties !== undefined) {
    const children = [
      ...Object.values(s.properties ?? {}),
      ...(typeof s.additionalProperties === 'object' ? [s.additionalProperties] : []),
    ];
    depth = Math.max(depth, 1 + Math.max(0, ...children.map(schemaDepth)));
  }
  if (s.type === 'array') depth = Math.max(depth, 1 + schemaDepth(s.items));
  return depth;
}

const DEEP = [
  ['5,000 nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['3,000 nested objects', `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`],
  ['a valid-looking body with one deep field', `{"name":"x","extra":${'['.repeat(2000)}${']'.repeat(2000)}}`],
] as const;

describe('deeply nested JSON bodies', () => {
  it('every documented request body nests well under the limit', () => {
    const withBodies = operations.filter((op) => op.body !== undefined);
    expect(withBodies.length).toBeGreaterThan(10);
    const deepest = Math.max(...withBodies.map((op) => schemaDepth(op.body)));
    expect(deepest).toBeGreaterThan(2);
    expect(deepest).toBeLessThanOrEqual(MAX_BODY_DEPTH / 2);
  });

  for (const [name, payload] of DEEP) {
    it(`${name}: every POST, PUT and PATCH answers 400 validation_failed (with an Idempotency-Key too)`, async () => {
      const writes = operations.filter((op) => ['POST', 'PUT', 'PATCH'].includes(op.method));
      expect(writes.length).toBeGreaterThan(20);
      const answers: string[] = [];
      for (const op of writes) {
        const url = op.path.replace(/\{(\w+)\}/g, (_, param: string) =>
          param === 'id' ? 'chn_missing00000000000000' : 'x',
        );
        for (const idempotency of [undefined, `deep-${answers.length}`]) {
          const res = await w.app.inject({
            method: op.method as 'POST',
            url,
            headers: {
              'x-api-key': w.a.admin,
              'content-type': 'application/json',
              ...(idempotency ? { 'idempotency-key': idempotency } : {}),
            },
            payload,
          });
          answers.push(`${op.method} ${op.path}: ${res.statusCode}`);
          expect(res.statusCode, `${op.method} ${op.path}: ${res.body}`).toBeLessThan(500);
          // Refused for its depth, before any route looked at it (the auth hook runs first).
          if (op.path.startsWith('/api/v1/')) {
            expect(problem(res), `${op.method} ${op.path}`).toMatchObject({
              code: 'validation_failed',
              errors: [{ field: 'body' }],
            });
          }
        }
      }
      expect(answers.length).toBe(writes.length * 2);
    });
  }
});
