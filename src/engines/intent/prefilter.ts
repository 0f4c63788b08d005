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
const EMPTY = (): Literals => ({ exact: new Set(['']), required: null });

/** How good a set of required strings is: its shortest string's length, then fewer strings. */
function better(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  const useful = (s: Set<string> | null) => s !== null && s.size > 0 && !s.has('');
  if (!useful(a)) return useful(b) ? b : null;
  if (!useful(b)) return a;
  const shortest = (s: Set<string>) => Math.min(...[...s].map((x) => x.length));
  const la = shortest(a!);
  const lb = shortest(b!);
  if (la !== lb) return la > lb ? a : b;
  return a!.size <= b!.size ? a : b;
}

function requiredOf(l: Literals): Set<string> | null {
  if (l.exact !== null) return l.exact.has('') ? null : l.exact;
  return l.required;
}

class Reader {
  private at = 0;
  constructor(private readonly src: string) {}

  read(): Literals {
    const out = this.alternation();
    if (this.at !== this.src.length) throw new Error(`prefilter: unexpected ')' at ${this.at}`);
    return out;
  }

  private alternation(): Literals {
    const branches = [this.sequence()];
    while (this.src[this.at] === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    if (branches.length === 1) return branches[0]!;
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

  private sequence(): Literals {
    let run: Set<string> = new Set(['']);
    let best: Set<string> | null = null;
    let cut = false;
    while (this.at < this.src.length && this.src[this.at] !== '|' && this.src[this.at] !== ')') {
      const piece = this.quantified();
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

  private quantified(): Literals {
    const atom = this.atom();
    const c = this.src[this.at];
    let min = 1;
    let max = 1;
    if (c === '?' || c === '*' || c === '+') {
      this.at++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Number.POSITIVE_INFINITY;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.at));
      if (m) {
        this.at += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      }
    } else return atom;
    if (this.src[this.at] === '?') this.at++; // lazy: the same strings
    if (min === 1 && max === 1) return atom;
    if (min === 0 && max === 1 && atom.exact !== null)
      return { exact: new Set([...atom.exact, '']), required: null };
    if (min === 0) return NOTHING;
    return { exact: null, required: requiredOf(atom) };
  }

  private atom(): Literals {
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
      return look ? EMPTY() : inner;
    }
    if (c === '[') return this.charClass();
    if (c === '^' || c === '$') {
      this.at++;
      return EMPTY();
    }
    if (c === '.') {
      this.at++;
      return NOTHING;
    }
    if (c === '\\') return this.escape();
    this.at++;
    return { exact: new Set([c]), required: null };
  }

  private escape(): Literals {
    const c = this.src[this.at + 1]!;
    this.at += 2;
    if (c === 'b' || c === 'B') return EMPTY();
    if ('dDwWsS'.includes(c) || /[0-9k]/.test(c)) {
      if (c === 'k') this.at = this.src.indexOf('>', this.at) + 1;
      else if (/[1-9]/.test(c)) while (/[0-9]/.test(this.src[this.at] ?? '')) this.at++;
      return NOTHING; // a class of many characters, or a back-reference
    }
    if (c === 'p' || c === 'P') {
      this.at = this.src.indexOf('}', this.at) + 1;
      return NOTHING;
    }
    const ch = this.escapedChar(c);
    return { exact: new Set([ch]), required: null };
  }

  /** The character an escape outside a class stands for (after the backslash and `c` were read). */
  private escapedChar(c: string): string {
    if (c === 'n') return '\n';
    if (c === 'r') return '\r';
    if (c === 't') return '\t';
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

  /** A class of a few plain characters ("[rz]", "[sz]") is those characters; anything else, unknown. */
  private charClass(): Literals {
    this.at++;
    let negated = false;
    if (this.src[this.at] === '^') {
      negated = true;
      this.at++;
    }
    const chars = new Set<string>();
    let plain = true;
    while (this.at < this.src.length && this.src[this.at] !== ']') {
      let ch = this.src[this.at]!;
      this.at++;
      if (ch === '\\') {
        const e = this.src[this.at]!;
        this.at++;
        if (/[dDwWsSbB]/.test(e)) {
          plain = false;
          continue;
        }
        if (e === 'p' || e === 'P') {
          this.at = this.src.indexOf('}', this.at) + 1;
          plain = false;
          continue;
        }
        ch = this.escapedChar(e);
      }
      if (this.src[this.at] === '-' && this.src[this.at + 1] !== ']') {
        plain = false; // a range: too many characters to spell out
        this.at++;
        if (this.src[this.at] === '\\') this.at++;
        this.at++;
        continue;
      }
      chars.add(ch);
    }
    if (this.src[this.at] !== ']') throw new Error('prefilter: unclosed character class');
    this.at++;
    if (negated || !plain || chars.size === 0 || chars.size > 8) return NOTHING;
    return { exact: chars, required: null };
  }
}

/**
 * Literal strings one of which every match of `re` contains, or undefined when none can be read
 * (then no text may be skipped). Case-insensitive patterns are not read.
 */
export function requiredLiterals(re: RegExp): string[] | undefined {
  if (re.flags.includes('i') || re.flags.includes('v')) return undefined;
  const required = requiredOf(new Reader(re.source).read());
  return required === null ? undefined : [...required].sort();
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
 * A gate for a family of patterns: passes a text that contains a required literal of any of them
 * (a literal containing another is dropped: the shorter one is found first). Passes every text
 * when one pattern has no literal to read.
 */
export function literalGate(patterns: readonly RegExp[]): LiteralGate {
  const all = new Set<string>();
  for (const re of patterns) {
    const literals = requiredLiterals(re);
    if (literals === undefined) return { test: () => true, literals: [] };
    for (const l of literals) all.add(l);
  }
  const sorted = [...all].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const kept: string[] = [];
  for (const l of sorted) if (!kept.some((k) => l.includes(k))) kept.push(l);
  kept.sort();
  const re = new RegExp(trieSource(kept));
  return { test: (text) => re.test(text), literals: kept };
}

interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

/**
 * One pattern for many literals, their common beginnings shared ("stop|stoppez|start" as
 * "st(?:op|art)"): the regular expression engine tries each position once per shared prefix
 * instead of once per literal.
 */
function trieSource(literals: readonly string[]): string {
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
  const emit = (node: TrieNode): string => {
    // A literal ending here is enough: what could follow it is not needed to pass.
    if (node.end) return '';
    const branches = [...node.next].map(([ch, child]) => escapeRegExp(ch) + emit(child));
    return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  };
  return literals.length === 0 ? '(?!)' : emit(root);
}
