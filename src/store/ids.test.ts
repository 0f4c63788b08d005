import { describe, expect, it } from 'vitest';
import { ID_PREFIXES, ID_RANDOM_CHARS, isId, newId, randomBase62 } from './ids.ts';

describe('newId', () => {
  it.each(ID_PREFIXES)('gives %s ids the prefix and 24 base62 characters (over 120 bits)', (prefix) => {
    const id = newId(prefix);
    expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{${ID_RANDOM_CHARS}}$`));
    expect(ID_RANDOM_CHARS * Math.log2(62)).toBeGreaterThan(120);
    expect(isId(id, prefix)).toBe(true);
  });

  it('never repeats in 20 000 draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(newId('msg'));
    expect(seen.size).toBe(20_000);
  });

  it('uses every base62 character with no gross bias', () => {
    const counts = new Map<string, number>();
    for (const ch of randomBase62(62_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 1000 each; a modulo bias would push the first characters near 1030+ and the rest lower.
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(200);
  });
});

describe('isId', () => {
  const cases: { value: string; prefix?: 'msg' | 'ctc'; want: boolean }[] = [
    { value: `msg_${'a'.repeat(24)}`, want: true },
    { value: `msg_${'a'.repeat(24)}`, prefix: 'ctc', want: false },
    { value: `msg_${'a'.repeat(23)}`, want: false },
    { value: `xyz_${'a'.repeat(24)}`, want: false },
    { value: `msg_${'a'.repeat(23)}-`, want: false },
    { value: "msg_'; DROP TABLE messages; --", want: false },
  ];
  it.each(cases)('says $want for $value (prefix $prefix)', ({ value, prefix, want }) => {
    expect(isId(value, prefix)).toBe(want);
  });
});
