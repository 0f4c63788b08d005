/**
 * Variation engine: turns an answer template into the text to send. Spintax (`{a|b}`, nested)
 * gives each customer a different wording, chosen by a PRNG seeded from stable ids so the same
 * decision always renders the same text; `{{name}}` / `{{name|default}}` fill in variables.
 * Wording is varied honestly: invisible characters are never inserted, and any found are removed.
 */

import type { Reason } from '../domain/types.ts';
import { createRng, type Rng } from './prng.ts';

export interface RenderInput {
  template: string;
  variables: Readonly<Record<string, string | number | undefined>>;
  /** Stable ids (decision, contact…) joined by the caller: same seed, same text. */
  seed: string;
}

export interface RenderVerdict {
  text: string;
  ok: boolean;
  /** Variables the template needs that had no value and no default. */
  missing: string[];
  reasons: Reason[];
}

export interface TemplateCheck {
  ok: boolean;
  problems: { code: string; detail: string }[];
}

export const VARIATION_CODES = [
  'variation.ok',
  'variation.missing_variable',
  'variation.unbalanced',
  'variation.invisible_removed',
  'variation.invisible_chars',
  'variation.empty_output',
] as const;

type Node = string | VariableNode | ChoiceNode;

interface VariableNode {
  kind: 'var';
  name: string;
  /** Undefined when the template gives none; '' for `{{name|}}`. */
  fallback: string | undefined;
}

interface ChoiceNode {
  kind: 'choice';
  options: Node[][];
}

interface ParsedTemplate {
  nodes: Node[];
  /** Offsets of `{` without a `}` and of `}` without a `{`; they are rendered as literal characters. */
  unbalanced: number[];
}

const INVISIBLE_RE = /[\u200B-\u200D\u2060\uFEFF]/g;
const INVISIBLE_TEST_RE = /[\u200B-\u200D\u2060\uFEFF]/;
const VARIABLE_NAME_RE = /^[A-Za-z_][\w.-]*$/;
const CACHE_LIMIT = 500;
const cache = new Map<string, ParsedTemplate>();

/**
 * Choices nest two or three levels in real templates. Braces nested deeper are rendered as text,
 * which bounds the depth of the recursive parser (thousands of nested braces overflowed the stack).
 */
const MAX_NESTING = 32;

/**
 * Pairs braces first (escapes skipped), so that the parser only treats matched braces as
 * structure. This keeps parsing linear even for templates full of stray braces.
 */
function matchBraces(template: string): { literal: Uint8Array; unbalanced: number[] } {
  const stack: number[] = [];
  const closers: number[] = [];
  // One byte per character: 1 where a brace is text. Cheaper than a Set for 100,000 stray braces.
  const literal = new Uint8Array(template.length);
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '\\') {
      i++;
    } else if (c === '{') {
      stack.push(i);
    } else if (c === '}') {
      const open = stack.pop();
      if (open === undefined) {
        closers.push(i);
        literal[i] = 1;
      } else if (stack.length >= MAX_NESTING) {
        literal[open] = 1;
        literal[i] = 1;
      }
    }
  }
  for (const open of stack) literal[open] = 1;
  // Both lists are in increasing order: merge them instead of sorting.
  const unbalanced: number[] = [];
  let a = 0;
  let b = 0;
  while (a < stack.length || b < closers.length) {
    if (b >= closers.length || (a < stack.length && stack[a]! < closers[b]!)) unbalanced.push(stack[a++]!);
    else unbalanced.push(closers[b++]!);
  }
  return { literal, unbalanced };
}

function isEscapable(c: string | undefined): boolean {
  return c === '{' || c === '}' || c === '|' || c === '\\';
}

class Parser {
  pos = 0;
  constructor(
    private readonly src: string,
    private readonly literal: Uint8Array,
  ) {}

  /** Reads nodes until the end, or until `|` / `}` when inside a choice. */
  sequence(inChoice: boolean): Node[] {
    const nodes: Node[] = [];
    let text = '';
    const flush = (): void => {
      if (text !== '') nodes.push(text);
      text = '';
    };
    while (this.pos < this.src.length) {
      const c = this.src[this.pos] as string;
      if (c === '\\' && isEscapable(this.src[this.pos + 1])) {
        text += this.src[this.pos + 1];
        this.pos += 2;
      } else if (c === '{' && this.literal[this.pos] !== 1) {
        flush();
        nodes.push(this.variable() ?? this.choice());
      } else if (inChoice && (c === '|' || c === '}') && this.literal[this.pos] !== 1) {
        break;
      } else {
        // Plain text up to the next character that may mean something, in one slice.
        const start = this.pos++;
        while (this.pos < this.src.length && !this.mayMeanSomething(this.pos)) this.pos++;
        text += this.src.slice(start, this.pos);
      }
    }
    flush();
    return nodes;
  }

  private mayMeanSomething(pos: number): boolean {
    const c = this.src.charCodeAt(pos);
    return c === 0x5c || ((c === 0x7b || c === 0x7c || c === 0x7d) && this.literal[pos] !== 1); // \ { | }
  }

  /** `{{name}}` or `{{name|default}}`; the default is plain text (escapes allowed, no braces). */
  private variable(): VariableNode | undefined {
    const { src } = this;
    if (src[this.pos + 1] !== '{' || this.literal[this.pos + 1] === 1) return undefined;
    let i = this.pos + 2;
    let name = '';
    while (i < src.length && src[i] !== '|' && src[i] !== '}' && src[i] !== '{' && src[i] !== '\\')
      name += src[i++];
    name = name.trim();
    if (!VARIABLE_NAME_RE.test(name)) return undefined;
    let fallback: string | undefined;
    if (src[i] === '|') {
      fallback = '';
      i++;
      while (i < src.length && src[i] !== '}' && src[i] !== '{') {
        if (src[i] === '\\' && isEscapable(src[i + 1])) {
          fallback += src[i + 1];
          i += 2;
        } else {
          fallback += src[i++];
        }
      }
    }
    if (src[i] !== '}' || src[i + 1] !== '}') return undefined;
    this.pos = i + 2;
    return { kind: 'var', name, fallback };
  }

  /** `{a|b|c}`; the closing brace is guaranteed by matchBraces. */
  private choice(): ChoiceNode {
    this.pos++;
    const options: Node[][] = [];
    for (;;) {
      options.push(this.sequence(true));
      const c = this.src[this.pos];
      this.pos++;
      if (c !== '|') break;
    }
    return { kind: 'choice', options };
  }
}

function parse(template: string): ParsedTemplate {
  const hit = cache.get(template);
  if (hit) return hit;
  const { literal, unbalanced } = matchBraces(template);
  const parsed: ParsedTemplate = { nodes: new Parser(template, literal).sequence(false), unbalanced };
  // Oldest entry out first: templates come from a small playbook, so the cache rarely fills.
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(template, parsed);
  return parsed;
}

function renderNodes(
  nodes: readonly Node[],
  variables: RenderInput['variables'],
  rng: Rng,
  missing: string[],
): string {
  let out = '';
  for (const node of nodes) {
    if (typeof node === 'string') {
      out += node;
    } else if (node.kind === 'choice') {
      out += renderNodes(rng.pick(node.options), variables, rng, missing);
    } else {
      const value = variables[node.name];
      const text = value === undefined ? '' : String(value);
      if (text.trim() !== '') out += text;
      else if (node.fallback !== undefined) out += node.fallback;
      else if (!missing.includes(node.name)) missing.push(node.name);
    }
  }
  return out;
}

/**
 * Tidies what empty variables leave behind: double spaces, a space before "," or ".", spaces at
 * line ends. The space before "!", "?", ":" and ";" stays, as French typography wants it.
 */
function tidy(text: string): string {
  return text
    .replace(/ {2,}/g, ' ')
    .replace(/ +([,.…)])/g, '$1')
    .replace(/ +\n/g, '\n')
    .replace(/\n +/g, '\n')
    .trim();
}

/** At most ten offsets in a reason: a template can hold thousands of stray braces. */
function listOffsets(offsets: readonly number[]): string {
  const shown = offsets.slice(0, 10).join(', ');
  return offsets.length > 10 ? `${shown} and ${offsets.length - 10} more` : shown;
}

/** Renders a template with the seeded choice of wording. Unmatched braces are kept as literal text. */
export function renderTemplate(input: RenderInput, _config?: unknown, _nowMs?: number): RenderVerdict {
  const parsed = parse(input.template);
  const missing: string[] = [];
  const rng = createRng('variation', input.seed);
  let text = renderNodes(parsed.nodes, input.variables, rng, missing);
  const reasons: Reason[] = [];

  if (parsed.unbalanced.length > 0) {
    reasons.push({
      engine: 'variation',
      code: 'variation.unbalanced',
      detail: `unmatched brace at offset ${listOffsets(parsed.unbalanced)}; rendered literally`,
    });
  }
  if (missing.length > 0) {
    reasons.push({
      engine: 'variation',
      code: 'variation.missing_variable',
      detail: `no value for ${missing.map((m) => `{{${m}}}`).join(', ')}; left out`,
    });
  }
  if (INVISIBLE_TEST_RE.test(text)) {
    const removed = text.match(INVISIBLE_RE)?.length ?? 0;
    text = text.replace(INVISIBLE_RE, '');
    reasons.push({
      engine: 'variation',
      code: 'variation.invisible_removed',
      detail: `${removed} invisible character${removed > 1 ? 's' : ''} removed`,
    });
  }
  text = tidy(text);
  if (text === '') {
    reasons.push({
      engine: 'variation',
      code: 'variation.empty_output',
      detail: 'the template rendered no text',
    });
  }

  const ok = parsed.unbalanced.length === 0 && missing.length === 0 && text !== '';
  if (reasons.length === 0) {
    reasons.push({ engine: 'variation', code: 'variation.ok', detail: `${text.length} characters rendered` });
  }
  return { text, ok, missing, reasons };
}

/** Checks a template before it is saved in a playbook. */
export function validateTemplate(template: string): TemplateCheck {
  const problems: TemplateCheck['problems'] = [];
  const { unbalanced } = parse(template);
  for (const offset of unbalanced) {
    problems.push({
      code: 'variation.unbalanced',
      detail: `"${template[offset]}" at offset ${offset} has no matching ${template[offset] === '{' ? '"}"' : '"{"'}`,
    });
  }
  const invisible = template.match(INVISIBLE_RE)?.length ?? 0;
  if (invisible > 0) {
    problems.push({
      code: 'variation.invisible_chars',
      detail: `${invisible} invisible character${invisible > 1 ? 's' : ''}; they are removed when rendering`,
    });
  }
  return { ok: problems.length === 0, problems };
}
