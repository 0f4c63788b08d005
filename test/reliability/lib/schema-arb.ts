/**
 * fast-check arbitraries from the JSON schemas of the OpenAPI document: values that satisfy a
 * schema (with its boundary values drawn often), values that break it in one place (wrong type,
 * one past a bound, a required field missing, an unknown field), and hostile strings (injections,
 * control characters, lone surrogates, right-to-left marks) for anywhere a string goes.
 */
import fc from 'fast-check';
import { EARLIEST_INSTANT_MS, LATEST_INSTANT_MS } from '../../../src/domain/instants.ts';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minProperties?: number;
  maxProperties?: number;
}

/** Strings that have broken other web services: injections, traversal, control and odd Unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE messages; --",
  '1; SELECT pg_sleep(10)',
  '" OR ""="',
  '{"$gt": ""}',
  '{"$where": "sleep(1000)"}',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  'C:\\Windows\\system32',
  'a\r\nX-Injected: 1',
  '\r\n\r\nHTTP/1.1 200 OK',
  'nul\u0000byte',
  '\u0000',
  'lone \ud800 surrogate',
  '\udfff',
  '\u202eRTL override\u202c',
  'مرحبا بالعالم',
  'שלום',
  '😀🙏🏾👨‍👩‍👧‍👦🇨🇮',
  '\u200b\u200c\u200d\ufeff',
  'ﷺ'.repeat(50),
  'Z̷̧̛͉͎̙a̴̢͎͂l̸̰̈́g̵̫̈́ȏ̸̳',
  // Template injection (written with \u007b so no linter mistakes it for a forgotten template).
  '$\u007b7*7}{{7*7}}<%= 7*7 %>',
  '<script>alert(1)</script>',
  '%s%s%s%n',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '9'.repeat(400),
  ' ',
  '',
  'x'.repeat(70_000),
];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const types = (s: JsonSchema): string[] =>
  s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];

function intBetween(min: number, max: number): fc.Arbitrary<number> {
  const edges = [min, max, Math.min(max, min + 1), Math.max(min, max - 1), 0].filter(
    (v) => v >= min && v <= max,
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
    {
      weight: 2,
      arbitrary: fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .map((v) => Math.min(max, Math.max(min, Math.round(v)))),
    },
  );
}

/** Every date-time the API accepts (src/domain/instants.ts), edges included. */
const ISO = fc
  .date({ min: new Date(EARLIEST_INSTANT_MS), max: new Date(LATEST_INSTANT_MS - 1), noInvalidDate: true })
  .map((d) => d.toISOString());

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
  if (s.format === 'date-time') return ISO;
  if (s.format === 'uri') return fc.webUrl();
  if (s.format === 'email') return fc.emailAddress();
  if (s.pattern !== undefined) {
    const re = new RegExp(s.pattern);
    return fc
      .stringMatching(re)
      .filter((v) => v.length >= min && (s.maxLength === undefined || v.length <= s.maxLength));
  }
  const arbs: fc.Arbitrary<string>[] = [fc.string({ minLength: min, maxLength: max })];
  arbs.push(fc.string({ unit: 'grapheme', minLength: min, maxLength: max }));
  // The longest allowed value, when that is not absurd.
  if (s.maxLength !== undefined && s.maxLength <= 5000)
    arbs.push(fc.string({ minLength: s.maxLength, maxLength: s.maxLength }));
  return fc.oneof(...arbs);
}

/** Values that satisfy `schema`. */
export function validArb(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum !== undefined) return fc.constantFrom(...s.enum);
  if (s.anyOf) return fc.oneof(...s.anyOf.map((x) => validArb(x, depth + 1)));
  if (s.oneOf) return fc.oneof(...s.oneOf.map((x) => validArb(x, depth + 1)));
  if (s.allOf) return validArb(Object.assign({}, ...s.allOf) as JsonSchema, depth + 1);
  const t = types(s);
  if (t.length > 1) return fc.oneof(...t.map((type) => validArb({ ...s, type }, depth + 1)));
  switch (t[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? -1_000_000);
      const max = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : (s.maximum ?? 1_000_000);
      return intBetween(min, max);
    }
    case 'number': {
      const min = s.minimum ?? -1e9;
      const max = s.maximum ?? 1e9;
      return fc.oneof(
        fc.constantFrom(min, max),
        fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
      );
    }
    case 'string':
      return stringArb(s);
    case 'array': {
      const items = s.items ? validArb(s.items, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      const minLength = s.minItems ?? 0;
      return fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(s.maxItems ?? 4, 4)) });
    }
    case 'object':
      return objectArb(s, depth);
    default:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArb(s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) shape[k] = validArb(v, depth + 1);
  const base = fc.record(shape, { requiredKeys: [...required].filter((k) => k in props) });
  const extra = s.patternProperties
    ? Object.entries(s.patternProperties)[0]
    : typeof s.additionalProperties === 'object'
      ? (['^[A-Za-z][A-Za-z0-9_]{0,20}$', s.additionalProperties] as const)
      : undefined;
  if (!extra) return base;
  const [pattern, valueSchema] = extra;
  const dict = fc.dictionary(fc.stringMatching(new RegExp(pattern)), validArb(valueSchema, depth + 1), {
    maxKeys: Math.min(s.maxProperties ?? 3, 3),
    minKeys: s.minProperties ?? 0,
  });
  return fc.tuple(base, dict).map(([a, b]) => ({ ...b, ...(a as object) }));
}

/** A value of another JSON type than `schema` allows (as far as a simple check can tell). */
function wrongTypeArb(s: JsonSchema): fc.Arbitrary<unknown> {
  const t = new Set(types(s));
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (!t.has('string')) candidates.push(hostileString, fc.constant('12'));
  if (!t.has('integer') && !t.has('number'))
    candidates.push(fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308));
  if (!t.has('boolean')) candidates.push(fc.boolean());
  if (!t.has('null')) candidates.push(fc.constant(null));
  if (!t.has('array')) candidates.push(fc.constant([]), fc.constant([1, 'a', null]));
  if (!t.has('object')) candidates.push(fc.constant({}), fc.constant({ $gt: '' }));
  return candidates.length > 0 ? fc.oneof(...candidates) : hostileString;
}

/** One step past a bound of `schema`, when it has one. */
function pastBoundArb(s: JsonSchema): fc.Arbitrary<unknown> | undefined {
  const t = types(s);
  const options: unknown[] = [];
  if (t.includes('string')) {
    if (s.maxLength !== undefined && s.maxLength < 300_000) options.push('x'.repeat(s.maxLength + 1));
    if (s.minLength !== undefined && s.minLength > 0) options.push('x'.repeat(s.minLength - 1));
    if (s.format === 'date-time')
      options.push(
        '2026-13-45T25:61:61Z',
        'yesterday',
        '2026-02-30T10:00:00Z',
        // Well-formed but outside what the system handles (each was a 500 once).
        '0000-01-01T00:00:00Z',
        '9999-12-31T23:59:59Z',
        '2100-01-01T00:00:00Z',
      );
  }
  if (t.includes('integer') || t.includes('number')) {
    if (s.maximum !== undefined) options.push(s.maximum + 1, s.maximum + 0.5);
    if (s.minimum !== undefined) options.push(s.minimum - 1);
    if (t.includes('integer')) options.push(1.5);
  }
  if (t.includes('array')) {
    if (s.maxItems !== undefined && s.maxItems < 100_000)
      options.push(Array.from({ length: s.maxItems + 1 }, () => null));
  }
  if (s.enum !== undefined) options.push('not-in-the-enum');
  return options.length > 0 ? fc.constantFrom(...options) : undefined;
}

/** A value that breaks `schema` in one place (for an object: one property, or its key set). */
export function invalidArb(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const arbs: fc.Arbitrary<unknown>[] = [wrongTypeArb(s)];
  const past = pastBoundArb(s);
  if (past) arbs.push(past);
  if (types(s).includes('object') && s.properties && depth < 3) {
    const valid = objectArb(s, depth + 1) as fc.Arbitrary<Record<string, unknown>>;
    const keys = Object.keys(s.properties);
    arbs.push(
      // One property made invalid.
      fc
        .tuple(valid, fc.constantFrom(...keys))
        .chain(([obj, key]) =>
          invalidArb(s.properties![key]!, depth + 1).map((bad) => ({ ...obj, [key]: bad })),
        ),
      // A required property missing.
      ...(s.required && s.required.length > 0
        ? [
            fc.tuple(valid, fc.constantFrom(...s.required)).map(([obj, key]) => {
              const copy = { ...obj };
              delete copy[key];
              return copy;
            }),
          ]
        : []),
      // An unknown property, some of them dangerous names.
      fc
        .tuple(
          valid,
          fc.constantFrom('__proto__', 'constructor', 'extra', '$where', 'tenantId', 'id'),
          hostileString,
        )
        .map(
          ([obj, key, value]) =>
            JSON.parse(
              JSON.stringify({ ...obj, [key === '__proto__' ? '__x' : key]: value }).replace(
                '"__x"',
                '"__proto__"',
              ),
            ) as unknown,
        ),
    );
  }
  if (types(s).includes('array') && s.items && depth < 3) {
    arbs.push(fc.array(invalidArb(s.items, depth + 1), { minLength: 1, maxLength: 3 }));
  }
  return fc.oneof(...arbs);
}
