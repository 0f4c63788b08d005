import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './body-depth.ts';

/** `levels` arrays or objects nested in each other. */
function nested(levels: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

describe('nestsDeeperThan', () => {
  const cases: { name: string; value: unknown; limit: number; want: boolean }[] = [
    { name: 'a scalar nests no level', value: 'x', limit: 0, want: false },
    { name: 'null nests no level', value: null, limit: 0, want: false },
    { name: 'an empty object is one level', value: {}, limit: 1, want: false },
    { name: 'an empty object is deeper than zero levels', value: {}, limit: 0, want: true },
    { name: 'exactly the limit in arrays passes', value: nested(32, 'array'), limit: 32, want: false },
    { name: 'one past the limit in arrays is refused', value: nested(33, 'array'), limit: 32, want: true },
    { name: 'exactly the limit in objects passes', value: nested(32, 'object'), limit: 32, want: false },
    { name: 'one past the limit in objects is refused', value: nested(33, 'object'), limit: 32, want: true },
    {
      name: 'the deep branch counts, not the first one',
      value: { a: 1, b: [{ c: {} }], d: nested(40, 'object') },
      limit: 32,
      want: true,
    },
    {
      name: 'wide but shallow bodies pass (object, array, object, array: four levels)',
      value: { items: Array.from({ length: 10_000 }, (_, i) => ({ i, tags: [String(i)] })) },
      limit: 4,
      want: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(nestsDeeperThan(c.value, c.limit)).toBe(c.want);
    });
  }

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(100_000, 'array'), MAX_BODY_DEPTH)).toBe(true);
  });
});
