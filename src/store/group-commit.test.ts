import { describe, expect, it } from 'vitest';
import { createGroupWriter } from './group-commit.ts';

describe('group commit', () => {
  it('commits concurrent writes of one tenant in one batch and resolves each only after the commit', async () => {
    const commits: string[][] = [];
    let committed = false;
    const writer = createGroupWriter<string>(async (_tenant, items) => {
      await new Promise((r) => setTimeout(r, 5));
      commits.push(items);
      committed = true;
    });
    const writes = ['a', 'b', 'c'].map((x) =>
      writer.write('ten_1', x).then(() => {
        expect(committed).toBe(true);
      }),
    );
    await Promise.all(writes);
    expect(commits).toEqual([['a', 'b', 'c']]);
  });

  it('gathers the writes that arrive during a commit into the next batch', async () => {
    const commits: number[][] = [];
    const writer = createGroupWriter<number>(async (_tenant, items) => {
      commits.push(items);
      await new Promise((r) => setTimeout(r, 10));
    });
    const first = writer.write('ten_1', 1);
    await new Promise((r) => setTimeout(r, 2));
    const later = [2, 3, 4].map((n) => writer.write('ten_1', n));
    await Promise.all([first, ...later]);
    expect(commits).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps tenants apart and fails only the writes of the batch that failed', async () => {
    const writer = createGroupWriter<string>(async (tenant, items) => {
      if (tenant === 'ten_bad') throw new Error(`refused ${items.join(',')}`);
    });
    const ok = writer.write('ten_ok', 'x');
    const bad = writer.write('ten_bad', 'y');
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('refused y');
    await expect(writer.write('ten_bad', 'z')).rejects.toThrow('refused z');
  });

  it('splits a large backlog into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const writer = createGroupWriter<number>(
      async (_t, items) => {
        sizes.push(items.length);
      },
      { maxBatch: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write('ten_1', i)));
    expect(sizes).toEqual([4, 4, 2]);
  });
});
