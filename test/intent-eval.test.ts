/**
 * The intent evaluation harness: aggregate figures carry no message, prices are read back from
 * replies in every format formatPrice writes, and the per-message listing refuses the held-out set.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  amountsIn,
  DEFAULT_HELDOUT,
  DEV_CORPORA,
  DEV3,
  EARLIER_HELDOUTS,
  evaluateCorpus,
  type IntentCorpus,
  idNumber,
  isValidationMessage,
  loadCorpus,
  RETIRED_H2,
  RETIRED_H3,
  RETIRED_H4,
  RETIRED_H5,
  RETIRED_H6,
  RETIRED_H7,
  RETIRED_HELDOUT,
  SPLIT_CORPORA,
  splitCorpus,
  TRAIN_D,
  TRAIN_E,
  TRAIN_F,
} from '../bench/intent-eval.ts';
import { heldoutChoice } from '../bench/intents.ts';

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

  it('refuses the current held-out set by name or by path, and lists the retired one', () => {
    for (const which of ['heldout-8', 'test/fixtures/intents/heldout-8.json', 'heldout']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/intent-errors.ts', which], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(DEV_CORPORA).toContain(RETIRED_HELDOUT);
    expect(DEV_CORPORA).toContain(DEV3);
    expect(DEV_CORPORA).toContain(RETIRED_H2);
    expect(DEV_CORPORA).toContain(RETIRED_H3);
    expect(DEV_CORPORA).toContain(TRAIN_D);
    expect(SPLIT_CORPORA).toContain(TRAIN_D);
    expect(DEV_CORPORA).not.toContain(DEFAULT_HELDOUT);
    expect(SPLIT_CORPORA).not.toContain(DEFAULT_HELDOUT);
    expect(DEFAULT_HELDOUT).toBe('test/fixtures/intents/heldout-8.json');
    for (const earlier of EARLIER_HELDOUTS) expect(DEV_CORPORA).not.toContain(earlier);
    expect(EARLIER_HELDOUTS).not.toContain(RETIRED_H2);
    expect(EARLIER_HELDOUTS).not.toContain(RETIRED_H3);
    expect(DEV_CORPORA).toContain(RETIRED_H4);
    expect(SPLIT_CORPORA).toContain(RETIRED_H5);
    expect(EARLIER_HELDOUTS).not.toContain(RETIRED_H5);
    expect(SPLIT_CORPORA).toContain(RETIRED_H6);
    expect(SPLIT_CORPORA).toContain(RETIRED_H7);
    expect(SPLIT_CORPORA).toContain(TRAIN_E);
    expect(SPLIT_CORPORA).toContain(TRAIN_F);
  });

  it('lists only the tuning split of heldout-2 to heldout-7, retired into development data', () => {
    for (const [which, path] of [
      ['h2', RETIRED_H2],
      ['h3', RETIRED_H3],
      ['h4', RETIRED_H4],
      ['h5', RETIRED_H5],
      ['h6', RETIRED_H6],
      ['h7', RETIRED_H7],
    ] as const) {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/intent-errors.ts', which, '--intent', 'opt_in', '--all'],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(0);
      const corpus = loadCorpus(path);
      const listed = [...r.stdout.matchAll(/^(h[2-7]-\d{3}) /gm)].map((x) => x[1]!);
      const tuningOptIns = splitCorpus(corpus, 'tuning').messages.filter((m) => m.intent === 'opt_in');
      expect(listed).toEqual(tuningOptIns.map((m) => m.id));
      expect(listed.some((id) => isValidationMessage({ id }))).toBe(false);
      expect(heldoutChoice(path)).toEqual({ skip: expect.stringContaining('development data') });
    }
  }, 60_000);

  it('splits by the number an id ends with, not by the digits of its corpus prefix', () => {
    expect(idNumber('d17')).toBe(17);
    expect(idNumber('h004')).toBe(4);
    expect(idNumber('d3-031')).toBe(31);
    expect(isValidationMessage({ id: 'd3-030' })).toBe(true);
    expect(isValidationMessage({ id: 'd3-031' })).toBe(false);
    expect(isValidationMessage({ id: 'nothing' })).toBe(false);
    const dev3 = loadCorpus(DEV3);
    const validation = splitCorpus(dev3, 'validation').messages;
    expect(validation.length).toBe(Math.floor(dev3.messages.length / 3));
  });

  it('evaluates the held-out file chosen by path, and skips with a message when there is none', () => {
    expect(heldoutChoice('0')).toEqual({ skip: expect.stringContaining('skipped') });
    expect(heldoutChoice('test/fixtures/intents/no-such-file.json')).toEqual({
      skip: expect.stringContaining('not present'),
    });
    expect(heldoutChoice(RETIRED_HELDOUT)).toEqual({ skip: expect.stringContaining('development data') });
    expect(heldoutChoice('test/fixtures/intents/dev.json')).toEqual({
      skip: expect.stringContaining('development data'),
    });
    expect(heldoutChoice('test/fixtures/intent-corpus.json')).toEqual({
      skip: expect.stringContaining('development data'),
    });
    const chosen = heldoutChoice(undefined);
    expect('path' in chosen ? chosen.path : chosen.skip).toContain(DEFAULT_HELDOUT);
  });

  it('splits every development corpus by id: a third for validation, the rest for tuning', () => {
    for (const path of SPLIT_CORPORA) {
      const dev = loadCorpus(path);
      const validation = splitCorpus(dev, 'validation').messages;
      const tuning = splitCorpus(dev, 'tuning').messages;
      expect(validation.length + tuning.length).toBe(dev.messages.length);
      expect(validation.every(isValidationMessage)).toBe(true);
      expect(tuning.some(isValidationMessage)).toBe(false);
      expect(validation.length / dev.messages.length).toBeCloseTo(1 / 3, 1);
    }
  });
});

/**
 * Floors on the development corpus, set just under what the engine reaches (docs/INTENTS.md): the
 * validation split is never trained on, so its accuracy is an honest estimate; opt-out must be
 * exact on the whole corpus.
 */
describe('intent engine on the development corpus', () => {
  const dev = loadCorpus('test/fixtures/intents/dev.json');

  it('reaches its accuracy floor on the validation split it was not trained on', () => {
    const a = evaluateCorpus(splitCorpus(dev, 'validation'));
    // 0.91 until the seventh pass: the model retrained with train-d's tuning split reads 241 of these
    // 266 (244 before) and 1583 of the six validation splits' 1760 (1579 before); docs/INTENTS.md.
    expect(a.correct / a.messages).toBeGreaterThanOrEqual(0.9);
    expect(a.products.correct / a.products.reported).toBeGreaterThanOrEqual(0.92);
    expect(a.optOut.found).toBe(a.optOut.support);
    expect(a.optOut.falseOptOuts).toBe(0);
  }, 120_000);

  it('keeps its figures on the whole corpus: every opt-out found, nobody else opted out', () => {
    const a = evaluateCorpus(dev);
    expect(a.correct / a.messages).toBeGreaterThanOrEqual(0.96);
    expect(a.replies.unaskedQuotes).toBeLessThanOrEqual(4);
    expect(a.optOut.found).toBe(a.optOut.support);
    expect(a.optOut.falseOptOuts).toBe(0);
    expect(a.optIn.falseOptIns).toBe(0);
    expect(a.products.correct / a.products.reported).toBeGreaterThanOrEqual(0.96);
  }, 120_000);
});

/**
 * Floors on train-d (docs/INTENTS.md, seventh pass), just under what the engine reaches: its
 * validation split is never trained on; nobody is opted out who did not ask, on the whole corpus.
 */
describe('intent engine on train-d', () => {
  const trainD = loadCorpus(TRAIN_D);

  it('reaches its accuracy floor on the validation split it was not trained on', () => {
    const a = evaluateCorpus(splitCorpus(trainD, 'validation'));
    expect(a.correct / a.messages).toBeGreaterThanOrEqual(0.88);
    expect(a.optOut.falseOptOuts).toBe(0);
  }, 120_000);

  it('opts out nobody who did not ask on the whole corpus, and opts in at most the one it does now', () => {
    const a = evaluateCorpus(trainD);
    expect(a.optOut.falseOptOuts).toBe(0);
    // One false opt-in, in the validation split (not listed, so not looked at).
    expect(a.optIn.falseOptIns).toBeLessThanOrEqual(1);
    expect(a.optOut.found / a.optOut.support).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});

/**
 * Floors on dev-3 (docs/INTENTS.md, third pass), just under what the engine reaches: its validation
 * split is never trained on; nobody is opted out or in who did not ask, on the whole corpus.
 */
describe('intent engine on dev-3', () => {
  const dev3 = loadCorpus(DEV3);

  it('reaches its accuracy floor on the validation split it was not trained on', () => {
    const a = evaluateCorpus(splitCorpus(dev3, 'validation'));
    expect(a.correct / a.messages).toBeGreaterThanOrEqual(0.85);
    expect(a.optOut.found / a.optOut.support).toBeGreaterThanOrEqual(0.78);
    expect(a.optIn.found / a.optIn.support).toBeGreaterThanOrEqual(0.83);
    expect(a.optOut.falseOptOuts).toBe(0);
    expect(a.replies.offTopicLists).toBeLessThanOrEqual(1);
  }, 120_000);

  it('opts out nobody who did not ask on the whole corpus', () => {
    const a = evaluateCorpus(dev3);
    expect(a.optOut.falseOptOuts).toBe(0);
    expect(a.optOut.found / a.optOut.support).toBeGreaterThanOrEqual(0.92);
  }, 120_000);
});

/**
 * Floors on heldout-2 and heldout-3, retired into development data in the sixth pass
 * (docs/INTENTS.md), just under what the engine reaches: their validation splits are never trained
 * on; every opt-out of heldout-2 is found and nobody is opted out who did not ask.
 */
describe('intent engine on the retired heldout-2 and heldout-3', () => {
  const h2 = loadCorpus(RETIRED_H2);
  const h3 = loadCorpus(RETIRED_H3);

  it('reaches its accuracy floors on their validation splits', () => {
    const a2 = evaluateCorpus(splitCorpus(h2, 'validation'));
    expect(a2.correct / a2.messages).toBeGreaterThanOrEqual(0.9);
    expect(a2.optOut.found).toBe(a2.optOut.support);
    expect(a2.optOut.falseOptOuts).toBe(0);
    const a3 = evaluateCorpus(splitCorpus(h3, 'validation'));
    expect(a3.correct / a3.messages).toBeGreaterThanOrEqual(0.9);
    expect(a3.optOut.found / a3.optOut.support).toBeGreaterThanOrEqual(0.92);
    expect(a3.optOut.falseOptOuts).toBe(0);
  }, 120_000);

  it('opts out nobody who did not ask on the whole corpora, and finds the opt-outs', () => {
    const a2 = evaluateCorpus(h2);
    expect(a2.optOut.found).toBe(a2.optOut.support);
    expect(a2.optOut.falseOptOuts).toBe(0);
    const a3 = evaluateCorpus(h3);
    expect(a3.optOut.found / a3.optOut.support).toBeGreaterThanOrEqual(0.97);
    expect(a3.optOut.falseOptOuts).toBe(0);
    expect(a3.replies.unaskedQuotes).toBeLessThanOrEqual(5);
  }, 120_000);
});
