import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RenderInput, renderTemplate, VARIATION_CODES, validateTemplate } from './variation.ts';

interface Case {
  name: string;
  input: RenderInput;
  want: { text?: string; oneOf?: string[]; ok: boolean; missing?: string[]; codes?: string[] };
}

const render = (template: string, variables: RenderInput['variables'] = {}, seed = 's1'): RenderInput => ({
  template,
  variables,
  seed,
});

const cases: Case[] = [
  {
    name: 'renders plain text unchanged',
    input: render('Bonjour, le sac est dispo.'),
    want: { text: 'Bonjour, le sac est dispo.', ok: true, codes: ['variation.ok'] },
  },
  {
    name: 'picks one option of a spintax group',
    input: render('{Bonjour|Salut|Coucou} !'),
    want: { oneOf: ['Bonjour !', 'Salut !', 'Coucou !'], ok: true },
  },
  {
    name: 'picks within nested spintax',
    input: render('{Bonjour|{Salut|Coucou}} Awa'),
    want: { oneOf: ['Bonjour Awa', 'Salut Awa', 'Coucou Awa'], ok: true },
  },
  {
    name: 'fills a variable',
    input: render('Bonjour {{name}} !', { name: 'Awa' }),
    want: { text: 'Bonjour Awa !', ok: true },
  },
  {
    name: 'fills a number variable',
    input: render('Le sac est à {{price}} FCFA.', { price: 15000 }),
    want: { text: 'Le sac est à 15000 FCFA.', ok: true },
  },
  {
    name: 'accepts spaces inside the variable braces',
    input: render('Bonjour {{ name }} !', { name: 'Awa' }),
    want: { text: 'Bonjour Awa !', ok: true },
  },
  {
    name: 'uses the default text when the variable is absent',
    input: render('Bonjour {{name|cher client}} !'),
    want: { text: 'Bonjour cher client !', ok: true },
  },
  {
    name: 'uses the default text when the variable is an empty string',
    input: render('Bonjour {{name|cher client}} !', { name: '' }),
    want: { text: 'Bonjour cher client !', ok: true },
  },
  {
    name: 'renders an empty default and keeps the French space before "!"',
    input: render('Bonjour {{name|}} !'),
    want: { text: 'Bonjour !', ok: true, missing: [] },
  },
  {
    name: 'leaves out a missing variable, lists it and is not ok',
    input: render('Bonjour {{name}} !'),
    want: { text: 'Bonjour !', ok: false, missing: ['name'], codes: ['variation.missing_variable'] },
  },
  {
    name: 'removes the space a missing variable leaves before a comma',
    input: render('Bonjour {{name}}, le {{product}} est dispo.', { product: 'sac' }),
    want: { text: 'Bonjour, le sac est dispo.', ok: false, missing: ['name'] },
  },
  {
    name: 'lists a missing variable once even when used twice',
    input: render('{{a}} et {{a}} et {{b}}'),
    want: { text: 'et et', ok: false, missing: ['a', 'b'] },
  },
  {
    name: 'keeps escaped braces and pipes as literal characters',
    input: render('\\{prix\\} \\| {a|a}'),
    want: { text: '{prix} | a', ok: true },
  },
  {
    name: 'keeps a pipe outside spintax as a literal character',
    input: render('Sac | Noir'),
    want: { text: 'Sac | Noir', ok: true },
  },
  {
    name: 'renders an unclosed brace literally and is not ok',
    input: render('{Bonjour|Salut'),
    want: { text: '{Bonjour|Salut', ok: false, codes: ['variation.unbalanced'] },
  },
  {
    name: 'renders a stray closing brace literally and still fills variables',
    input: render('Prix } {{price}}', { price: 100 }),
    want: { text: 'Prix } 100', ok: false, codes: ['variation.unbalanced'] },
  },
  {
    name: 'strips invisible characters from the template',
    input: render('Bon\u200Bjour\uFEFF !'),
    want: { text: 'Bonjour !', ok: true, codes: ['variation.invisible_removed'] },
  },
  {
    name: 'strips invisible characters from variable values',
    input: render('Bonjour {{name}}', { name: 'A\u2060wa\u200D' }),
    want: { text: 'Bonjour Awa', ok: true, codes: ['variation.invisible_removed'] },
  },
  {
    name: 'collapses double spaces and trims the ends',
    input: render('  Bonjour   {{name|}}  le sac  '),
    want: { text: 'Bonjour le sac', ok: true },
  },
  {
    name: 'keeps line breaks',
    input: render('Bonjour {{name|}}\nLe sac est dispo.'),
    want: { text: 'Bonjour\nLe sac est dispo.', ok: true },
  },
  {
    name: 'is not ok when the template renders nothing',
    input: render('{{name}}'),
    want: { text: '', ok: false, missing: ['name'], codes: ['variation.empty_output'] },
  },
  {
    name: 'allows an empty spintax option to make a word optional',
    input: render('Merci{| beaucoup} !'),
    want: { oneOf: ['Merci !', 'Merci beaucoup !'], ok: true },
  },
  {
    name: 'renders a variable inside a spintax option',
    input: render('{Bonjour {{name}}|Salut {{name}}} !', { name: 'Awa' }),
    want: { oneOf: ['Bonjour Awa !', 'Salut Awa !'], ok: true },
  },
];

describe('renderTemplate', () => {
  it.each(cases)('$name', ({ input, want }) => {
    const v = renderTemplate(input);
    if (want.text !== undefined) expect(v.text).toBe(want.text);
    if (want.oneOf) expect(want.oneOf).toContain(v.text);
    expect(v.ok).toBe(want.ok);
    if (want.missing) expect(v.missing).toEqual(want.missing);
    for (const code of want.codes ?? []) expect(v.reasons.map((r) => r.code)).toContain(code);
    for (const r of v.reasons) {
      expect(r.engine).toBe('variation');
      expect(VARIATION_CODES).toContain(r.code);
    }
  });

  it('gives the same text for the same seed', () => {
    const input = render('{Bonjour|Salut|Coucou|Hello|Hi} {a|b|c|d}');
    expect(renderTemplate(input).text).toBe(renderTemplate({ ...input }).text);
  });

  it('renders correctly after more distinct templates than the parse cache holds', () => {
    for (let i = 0; i < 600; i++) {
      expect(renderTemplate(render(`{Article|Produit} ${i} {{x|}}.`, {}, 'k')).text).toMatch(
        /^(Article|Produit) \d+\.$/,
      );
    }
    expect(renderTemplate(render('{Article|Produit} 0 {{x|}}.', {}, 'k')).text).toMatch(
      /^(Article|Produit) 0\.$/,
    );
  });

  it('uses every option of a group across seeds', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(renderTemplate(render('{A|B|C}', {}, `seed-${i}`)).text);
    expect([...seen].sort()).toEqual(['A', 'B', 'C']);
  });
});

describe('validateTemplate', () => {
  const checks: { name: string; template: string; ok: boolean; codes: string[] }[] = [
    {
      name: 'accepts a well-formed template',
      template: '{Bonjour|{Salut|Coucou}} {{name|}} !',
      ok: true,
      codes: [],
    },
    { name: 'accepts escaped braces', template: '\\{ \\} \\|', ok: true, codes: [] },
    { name: 'reports an unclosed brace', template: '{a|b', ok: false, codes: ['variation.unbalanced'] },
    { name: 'reports a stray closing brace', template: 'a}', ok: false, codes: ['variation.unbalanced'] },
    {
      name: 'reports an unclosed variable',
      template: 'Bonjour {{name}',
      ok: false,
      codes: ['variation.unbalanced'],
    },
    {
      name: 'reports invisible characters in a template',
      template: 'Bon\u200Bjour',
      ok: false,
      codes: ['variation.invisible_chars'],
    },
  ];
  it.each(checks)('$name', ({ template, ok, codes }) => {
    const check = validateTemplate(template);
    expect(check.ok).toBe(ok);
    expect(check.problems.map((p) => p.code)).toEqual(codes);
  });
});

/** Well-formed templates built from a tree, with text that holds no syntax characters. */
const textArb = fc.stringMatching(/^[a-zA-Zàéè0-9 ,.!?'-]{0,8}$/);
const varNameArb = fc.constantFrom('name', 'product', 'price', 'city');
const { template: templateArb } = fc.letrec<{ template: string; node: string }>((tie) => ({
  template: fc.array(tie('node'), { maxLength: 5 }).map((nodes) => nodes.join('')),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    textArb,
    varNameArb.map((name) => `{{${name}}}`),
    fc.tuple(varNameArb, textArb).map(([name, fallback]) => `{{${name}|${fallback}}}`),
    fc
      .array(tie('template'), { minLength: 1, maxLength: 4 })
      // A leading "{" would read as a variable `{{…}}`; a space keeps the group a spintax group.
      .map((options) => `{ ${options.join('|')}}`),
  ),
}));
const variablesArb = fc.record(
  {
    name: fc.oneof(fc.constant(undefined), fc.constant(''), fc.constant('Awa')),
    product: fc.constantFrom('sac', 'robe'),
    price: fc.integer({ min: 0, max: 100_000 }),
    city: fc.constantFrom('Dakar', 'Abidjan'),
  },
  { requiredKeys: [] },
);

describe('renderTemplate properties', () => {
  it('is deterministic per seed and never outputs braces or invisible characters for well-formed templates', () => {
    fc.assert(
      fc.property(templateArb, variablesArb, fc.string({ maxLength: 12 }), (template, variables, seed) => {
        expect(validateTemplate(template).ok).toBe(true);
        const a = renderTemplate({ template, variables, seed });
        const b = renderTemplate({ template, variables, seed });
        expect(b).toEqual(a);
        expect(a.text).not.toMatch(/[{}]/);
        expect(a.text).not.toMatch(/[\u200B-\u200D\u2060\uFEFF]/);
        expect(a.reasons.map((r) => r.code)).not.toContain('variation.unbalanced');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary text, never outputs invisible characters, and is never ok when unbalanced', () => {
    const syntaxHeavy = fc.string({
      unit: fc.constantFrom('{', '}', '|', '\\', 'a', ' ', '\u200B', '{{name}}', '{{x|}}'),
      maxLength: 30,
    });
    fc.assert(
      fc.property(
        fc.oneof(syntaxHeavy, fc.string({ unit: 'binary', maxLength: 60 })),
        fc.string({ maxLength: 4 }),
        (template, seed) => {
          const v = renderTemplate({ template, variables: { name: 'A\u200Bwa' }, seed });
          expect(v.text).not.toMatch(/[\u200B-\u200D\u2060\uFEFF]/);
          const unbalanced = validateTemplate(template).problems.some(
            (p) => p.code === 'variation.unbalanced',
          );
          if (unbalanced) expect(v.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
