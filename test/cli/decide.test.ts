import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const example = readFileSync(`${root}/examples/decision-context.json`, 'utf8');

function sellify(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['bin/sellify.js', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sellify decide', () => {
  it('prints the decision JSON for a context on stdin', () => {
    const r = sellify(['decide'], example);
    expect(r.code).toBe(0);
    const decision = JSON.parse(r.stdout);
    expect(decision.action).toBe('reply');
    expect(decision.text).toContain('15 000 FCFA');
  });

  it('reads the context from --file and gives the same decision as stdin', () => {
    const fromFile = sellify(['decide', '--file', 'examples/decision-context.json']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe(sellify(['decide'], example).stdout);
  });

  const bad: { name: string; input: string; message: RegExp }[] = [
    {
      name: 'rejects malformed JSON with exit code 2 and one line',
      input: '{"now": ',
      message: /^sellify decide: invalid JSON: /,
    },
    {
      name: 'names the missing field',
      input: JSON.stringify({ ...JSON.parse(example), channel: undefined }),
      message: /invalid context: channel/,
    },
    {
      name: 'names a bad date field',
      input: JSON.stringify({ ...JSON.parse(example), now: 'yesterday' }),
      message: /invalid context: now/,
    },
    {
      name: 'names an unknown time zone',
      input: JSON.stringify({
        ...JSON.parse(example),
        channel: { ...JSON.parse(example).channel, timezone: 'Mars/Olympus' },
      }),
      message: /invalid context: channel.timezone: unknown time zone/,
    },
    {
      name: 'refuses unknown fields',
      input: JSON.stringify({ ...JSON.parse(example), surprise: 1 }),
      message: /invalid context/,
    },
  ];
  it.each(bad)('$name', ({ input, message }) => {
    const r = sellify(['decide'], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing --file in one line', () => {
    const r = sellify(['decide', '--file', 'nope.json']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('sellify decide: cannot read nope.json: ENOENT');
  });
});
