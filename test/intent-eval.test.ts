/**
 * The intent evaluation harness: aggregate figures carry no message, prices are read back from
 * replies in every format formatPrice writes, and the per-message listing refuses the held-out set.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { amountsIn, evaluateCorpus, type IntentCorpus, loadCorpus } from '../bench/intent-eval.ts';

describe('intent evaluation harness', () => {
  it('returns aggregate figures that hold no message text and no message id', () => {
    const dev = loadCorpus('test/fixtures/intents/dev.json');
    const small: IntentCorpus = { ...dev, messages: dev.messages.slice(0, 40) };
    const json = JSON.stringify(evaluateCorpus(small));
    for (const m of small.messages) {
      expect(json).not.toContain(m.text);
      expect(json).not.toContain(`"${m.id}"`);
    }
  });

  it('reads amounts as formatPrice writes them, list lines apart', () => {
    expect(amountsIn('Sac noir : 15 000 FCFA (disponible)\n• Montre — 20 000 FCFA', 'XOF')).toEqual({
      other: [15000],
      list: [20000],
    });
    expect(amountsIn('Bag of rice: ₦78,000 (available)', 'NGN')).toEqual({ other: [7800000], list: [] });
    expect(amountsIn('Robe : 15,50 € et 2 robes', 'EUR')).toEqual({ other: [1550], list: [] });
  });

  it('refuses to list per-message results of the held-out corpus', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/intent-errors.ts', 'heldout'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('aggregate-only');
  });
});
