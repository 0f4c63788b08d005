/**
 * Prefilters for families of cue patterns: literal strings at least one of which every match of a
 * pattern contains ("stop", "desabonn", "m envoy"…), read from the pattern's own source when the
 * module loads. A message containing none of them cannot match any pattern of the family, so the
 * family is skipped with one scan of the text instead of dozens of regular expressions. Most
 * messages name no consent vocabulary at all (issue 14: decide() latency).
 *
 * Reading the literals from the sources, not from a hand-written word list, means a pattern added
 * to a family brings its words into the prefilter by itself. The reading is conservative: anything
 * it does not understand (a character class of many letters, a back-reference, an unbounded
 * repetition) requires nothing, and a pattern from which no literal can be read makes the
 * prefilter pass every text. properties.test.ts checks the contract with generated messages.
 */

/**
 * A pattern read into a tree. Characters: `chars` lists them when they are few, and `sample` gives
 * a few that match either way (for tests that generate matching texts). Lookarounds, anchors and
 * word boundaries match no characters (`zero`); a back-reference is read as `zero` too.
 */
export type PatternNode =
  | { kind: 'chars'; chars: readonly string[] | null; sample: readonly string[] }
  | { kind: 'zero'; look?: PatternNode }
  | { kind: 'seq'; items: readonly PatternNode[] }
  | { kind: 'alt'; branches: readonly PatternNode[] }
  | { kind: 'repeat'; min: number; max: number; item: PatternNode };

/** A class of this many characters or fewer is spelt out; larger ones require nothing. */
const MAX_CLASS_CHARS = 8;
/** Characters tried for a negated class or a dot when generating texts. */
const OTHER_CHARS = [' ', 'x', '1', '.', ',', 'e'];

class Parser {
  private at = 0;
  constructor(private readonly src: string) {}

  parse(): PatternNode {
    const out = this.alternation();
    if (this.at !== this.src.length) throw new Error(`prefilter: unexpected ')' at ${this.at}`);
    return out;
  }

  private alternation(): PatternNode {
    const branches = [this.sequence()];
    while (this.src[this.at] === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  private sequence(): PatternNode {
    const items: PatternNode[] = [];
    while (this.at < this.src.length && this.src[this.at] !== '|' && this.src[this.at] !== ')') {
      items.push(this.quantified());
    }
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  private quantified(): PatternNode {
    const item = this.atom();
    const c = this.src[this.at];
    let min: number;
    let max: number;
    if (c === '?' || c === '*' || c === '+') {
      this.at++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Number.POSITIVE_INFINITY;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.at));
      if (!m) return item;
      this.at += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else return item;
    if (this.src[this.at] === '?') this.at++; // lazy: the same strings
    return { kind: 'repeat', min, max, item };
  }

  private atom(): PatternNode {
    const c = this.src[this.at]!;
    if (c === '(') {
      this.at++;
      let look = false;
      if (this.src[this.at] === '?') {
        const head = this.src.slice(this.at, this.at + 3);
        if (head.startsWith('?:')) this.at += 2;
        else if (head === '?<=' || head === '?<!') {
          this.at += 3;
          look = true;
        } else if (head.startsWith('?=') || head.startsWith('?!')) {
          this.at += 2;
          look = true;
        } else if (head.startsWith('?<'))
          this.at = this.src.indexOf('>', this.at) + 1; // named group
        else throw new Error(`prefilter: unknown group at ${this.at}`);
      }
      const inner = this.alternation();
      if (this.src[this.at] !== ')') throw new Error(`prefilter: unclosed group at ${this.at}`);
      this.at++;
      // A lookaround matches no characters: it requires nothing of the text here.
      return look ? { kind: 'zero', look: inner } : inner;
    }
    if (c === '[') return this.charClass();
    this.at++;
    if (c === '^' || c === '$') return { kind: 'zero' };
    if (c === '.') return { kind: 'chars', chars: null, sample: OTHER_CHARS };
    if (c === '\\') return this.escape();
    return { kind: 'chars', chars: [c], sample: [c] };
  }

  /** After a backslash outside a class. */
  private escape(): PatternNode {
    const c = this.src[this.at]!;
    this.at++;
    if (c === 'b' || c === 'B') return { kind: 'zero' };
    // A back-reference matches what its group matched: unknown characters, never required.
    if (c === 'k') {
      this.at = this.src.indexOf('>', this.at) + 1;
      return { kind: 'chars', chars: null, sample: [''] };
    }
    if (/[1-9]/.test(c)) {
      while (/[0-9]/.test(this.src[this.at] ?? '')) this.at++;
      return { kind: 'chars', chars: null, sample: [''] };
    }
    const many = this.classEscape(c);
    if (many !== undefined) return { kind: 'chars', chars: null, sample: many };
    // \cX, \0 and escapes this reader does not know: unknown characters.
    if (/[a-zA-Z0]/.test(c) && !/[nrtfvxu]/.test(c)) {
      if (c === 'c' && /[a-zA-Z]/.test(this.src[this.at] ?? '')) this.at++;
      return { kind: 'chars', chars: null, sample: [''] };
    }
    const ch = this.escapedChar(c);
    return { kind: 'chars', chars: [ch], sample: [ch] };
  }

  /** Sample characters of \d, \w, \s, \p{…} and their negations; undefined for other escapes. */
  private classEscape(c: string): string[] | undefined {
    if (c === 'd') return ['0', '4', '7'];
    if (c === 'w') return ['a', 'z', '3'];
    if (c === 's') return [' '];
    if (c === 'D') return [' ', 'x'];
    if (c === 'W') return [' ', '.'];
    if (c === 'S') return ['x', '.'];
    if (c === 'p' || c === 'P') {
      this.at = this.src.indexOf('}', this.at) + 1;
      return c === 'p' ? ['a', 'e'] : [' ', '1'];
    }
    return undefined;
  }

  /** The character an escape stands for (the backslash and `c` read). */
  private escapedChar(c: string): string {
    if (c === 'n') return '\n';
    if (c === 'r') return '\r';
    if (c === 't') return '\t';
    if (c === 'f') return '\f';
    if (c === 'v') return '\v';
    if (c === 'x' || c === 'u') {
      const m = (c === 'x' ? /^[0-9a-fA-F]{2}/ : /^(?:[0-9a-fA-F]{4}|\{[0-9a-fA-F]+\})/).exec(
        this.src.slice(this.at),
      );
      if (!m) throw new Error(`prefilter: bad escape at ${this.at}`);
      this.at += m[0].length;
      return String.fromCodePoint(Number.parseInt(m[0].replace(/[{}]/g, ''), 16));
    }
    return c;
  }

  /** "[rz]" is those two characters; "[a-z]", a negated class or one with \w, many. */
  private charClass(): PatternNode {
    this.at++;
    let negated = false;
    if (this.src[this.at] === '^') {
      negated = true;
      this.at++;
    }
    const chars = new Set<string>();
    let many = false;
    const readChar = (): string | string[] => {
      const ch = this.src[this.at]!;
      this.at++;
      if (ch !== '\\') return ch;
      const e = this.src[this.at]!;
      this.at++;
      if (e === 'b') return '\b';
      const many = this.classEscape(e);
      if (many !== undefined) return many;
      // \cX, \0 and escapes this reader does not know: the class is too wide to spell out.
      if (/[a-zA-Z0]/.test(e) && !/[nrtfvxu]/.test(e)) {
        if (e === 'c' && /[a-zA-Z]/.test(this.src[this.at] ?? '')) this.at++;
        return [];
      }
      return this.escapedChar(e);
    };
    while (this.at < this.src.length && this.src[this.at] !== ']') {
      const from = readChar();
      if (typeof from !== 'string') {
        many = true;
        for (const x of from) chars.add(x);
        continue;
      }
      if (this.src[this.at] === '-' && this.src[this.at + 1] !== ']') {
        this.at++;
        const to = readChar();
        if (typeof to !== 'string') throw new Error('prefilter: bad range');
        for (let code = from.codePointAt(0)!; code <= to.codePointAt(0)!; code++) {
          chars.add(String.fromCodePoint(code));
          if (chars.size > 64) many = true;
          if (chars.size > 64) break;
        }
        continue;
      }
      chars.add(from);
    }
    if (this.src[this.at] !== ']') throw new Error('prefilter: unclosed character class');
    this.at++;
    if (negated) return { kind: 'chars', chars: null, sample: OTHER_CHARS.filter((x) => !chars.has(x)) };
    const list = [...chars];
    if (many || list.length > MAX_CLASS_CHARS) return { kind: 'chars', chars: null, sample: list };
    return { kind: 'chars', chars: list, sample: list };
  }
}

/** Reads a pattern's source into a tree (the subset of syntax the cue patterns use). */
export function parsePattern(source: string): PatternNode {
  return new Parser(source).parse();
}

/** What a piece of pattern can match: its exact strings when few, else strings one of which it contains. */
interface Literals {
  /** Every string the piece matches, when there are at most MAX_EXACT; null when unknown or too many. */
  exact: Set<string> | null;
  /** Strings one of which every match contains; null when nothing is required. */
  required: Set<string> | null;
}

/** Above this many exact strings a piece is summed up by what it requires. */
const MAX_EXACT = 64;

const NOTHING: Literals = { exact: null, required: null };

/** How good a set of required strings is: its shortest string's length, then fewer strings. */
function better(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  const useful = (s: Set<string> | null) => s !== null && s.size > 0 && !s.has('');
  if (!useful(a)) return useful(b) ? b : null;
  if (!useful(b)) return a;
  const shortest = (s: Set<string>) => {
    let min = Number.POSITIVE_INFINITY;
    for (const x of s) if (x.length < min) min = x.length;
    return min;
  };
  const la = shortest(a!);
  const lb = shortest(b!);
  if (la !== lb) return la > lb ? a : b;
  return a!.size <= b!.size ? a : b;
}

function requiredOf(l: Literals): Set<string> | null {
  if (l.exact !== null) return l.exact.has('') ? null : l.exact;
  return l.required;
}

function literalsOf(node: PatternNode): Literals {
  switch (node.kind) {
    case 'chars':
      return node.chars === null ? NOTHING : { exact: new Set(node.chars), required: null };
    case 'zero':
      return { exact: new Set(['']), required: null };
    case 'alt': {
      const branches = node.branches.map(literalsOf);
      if (branches.every((b) => b.exact !== null)) {
        const union = new Set<string>();
        for (const b of branches) for (const s of b.exact!) union.add(s);
        if (union.size <= MAX_EXACT) return { exact: union, required: null };
      }
      const required = new Set<string>();
      for (const b of branches) {
        const r = requiredOf(b);
        if (r === null) return NOTHING;
        for (const s of r) required.add(s);
      }
      return { exact: null, required };
    }
    case 'repeat': {
      const item = literalsOf(node.item);
      if (node.min === 1 && node.max === 1) return item;
      if (node.min === 0 && node.max === 1 && item.exact !== null)
        return { exact: new Set([...item.exact, '']), required: null };
      if (node.min === 0) return NOTHING;
      return { exact: null, required: requiredOf(item) };
    }
    case 'seq': {
      // Exact strings of consecutive pieces are joined while few; the best run or requirement wins.
      let run: Set<string> = new Set(['']);
      let best: Set<string> | null = null;
      let cut = false;
      for (const piece of node.items.map(literalsOf)) {
        if (piece.exact !== null) {
          const product = new Set<string>();
          for (const a of run) for (const b of piece.exact) product.add(a + b);
          if (product.size <= MAX_EXACT) {
            run = product;
            continue;
          }
          best = better(best, run);
          run = piece.exact;
          cut = true;
          continue;
        }
        best = better(better(best, run), piece.required);
        run = new Set(['']);
        cut = true;
      }
      if (!cut) return { exact: run, required: null };
      return { exact: null, required: better(best, run) };
    }
  }
}

/** Literals already read, per pattern: a pattern may sit behind a shared gate and its own. */
const READ = new WeakMap<RegExp, readonly string[] | null>();

/**
 * Literal strings one of which every match of `re` contains, or undefined when none can be read
 * (then no text may be skipped). Case-insensitive patterns are not read.
 */
export function requiredLiterals(re: RegExp): string[] | undefined {
  let read = READ.get(re);
  if (read === undefined) {
    const required =
      re.flags.includes('i') || re.flags.includes('v')
        ? null
        : requiredOf(literalsOf(parsePattern(re.source)));
    read = required === null ? null : [...required].sort();
    READ.set(re, read);
  }
  return read === null ? undefined : [...read];
}

export interface LiteralGate {
  /** False only when no pattern of the family can match `text`. */
  test(text: string): boolean;
  /** The literals looked for (none when every text passes), for tests and docs. */
  readonly literals: readonly string[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * A gate for a family of patterns: passes a text that contains a required literal of any of them.
 * Passes every text when one pattern has no literal to read. Built on first use, like the
 * patterns themselves (V8 compiles a regular expression when it first runs): loading the module
 * costs nothing.
 */
export function literalGate(patterns: readonly RegExp[]): LiteralGate {
  let built: { re: RegExp | null; literals: readonly string[] } | undefined;
  const build = () => {
    const all = new Set<string>();
    for (const re of patterns) {
      const literals = requiredLiterals(re);
      if (literals === undefined) return { re: null, literals: [] };
      for (const l of literals) all.add(l);
    }
    const literals = withoutContaining([...all]).sort();
    return { re: new RegExp(trieSource(literals)), literals };
  };
  return {
    test(text) {
      built ??= build();
      return built.re === null || built.re.test(text);
    },
    get literals() {
      built ??= build();
      return built.literals;
    },
  };
}

interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

function trieOf(literals: readonly string[]): TrieNode {
  const root: TrieNode = { end: false, next: new Map() };
  for (const l of literals) {
    let node = root;
    for (const ch of l) {
      let child = node.next.get(ch);
      if (!child) {
        child = { end: false, next: new Map() };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  return root;
}

/** The literals that contain no other one: a text holding the longer one holds the shorter. */
function withoutContaining(literals: readonly string[]): string[] {
  const root = trieOf(literals);
  return literals.filter((l) => {
    for (let start = 0; start < l.length; start++) {
      let node: TrieNode | undefined = root;
      for (let k = start; k < l.length && node !== undefined; k++) {
        node = node.next.get(l[k]!);
        if (node?.end && (start > 0 || k < l.length - 1)) return false;
      }
    }
    return true;
  });
}

/**
 * One pattern for many literals, their common beginnings shared ("stop|stoppez|start" as
 * "st(?:op|art)"): the regular expression engine tries each position once per shared prefix
 * instead of once per literal.
 */
function trieSource(literals: readonly string[]): string {
  const root = trieOf(literals);
  const emit = (node: TrieNode): string => {
    // A literal ending here is enough: what could follow it is not needed to pass.
    if (node.end) return '';
    const branches = [...node.next].map(([ch, child]) => escapeRegExp(ch) + emit(child));
    return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  };
  return literals.length === 0 ? '(?!)' : emit(root);
}
