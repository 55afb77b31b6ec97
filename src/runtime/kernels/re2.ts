/**
 * RE2 patterns (TensorFlow's regex ops use RE2) as JavaScript RegExps, where the two agree, and a
 * clear refusal where they do not.
 *
 * Translated: `.` (RE2's matches `\r`; JS's does not), `\s`/`\S` (RE2: `[\t\n\f\r ]` only), `\A`,
 * `\z`, `\C` (any byte; as a code point, which matches the same strings under `*` and `+`),
 * `(?P<name>`, leading flag groups `(?i)`, `(?s)`, `(?m)`, POSIX classes `[[:alpha:]]`, `\Q...\E`,
 * escaped punctuation, `\pN`, and a `{` that does not start a repetition (a literal in RE2).
 * Refused (RE2 would reject them, or they mean something else): backreferences, lookaround,
 * inline flags after the start, `(?U)`, `\C` not followed by `*` or `+`.
 *
 * Subjects are UTF-8 text, matched by code point (RE2's UTF-8 mode); rewrite strings use RE2's
 * `\0`..`\9` and `\\`.
 */
import { GraftError } from '../../errors';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7f', blank: '\\t ', cntrl: '\\x00-\\x1f\\x7f', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};
const RE2_SPACE = '\\t\\n\\f\\r ';

function refuse(pattern: string, why: string): GraftError {
  return new GraftError('runtime/failed', `Regex '${pattern}': ${why}`, {
    hint: 'TensorFlow matches with RE2; graft runs RE2 patterns as JavaScript RegExps where the two agree, and refuses the rest.',
  });
}

function escapeLiteral(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

function property(name: string): string {
  return /^[A-Z][a-z]?$/.test(name) || name === 'Any' ? `\\p{${name === 'Any' ? 'Any' : name}}` : `\\p{Script=${name}}`;
}

/** Translates an RE2 pattern to a JS RegExp source and flags (`u` always). */
export function re2ToJs(pattern: string): { source: string; flags: string } {
  let i = 0;
  let flags = 'u';
  let dotAll = false;
  // Leading flag group: (?i), (?s), (?m), (?is)...
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'U') throw refuse(pattern, 'the ungreedy flag (?U) has no JavaScript equivalent');
      if (f === 's') dotAll = true;
      else if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) throw refuse(pattern, 'trailing backslash');
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += [...lit].map(escapeLiteral).join('');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      i += 2;
      if (/[1-9]/.test(n)) throw refuse(pattern, `backreference \\${n} (RE2 has none)`);
      if (n === 's') out += inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      else if (n === 'S') {
        if (inClass) throw refuse(pattern, '\\S inside a character class');
        out += `[^${RE2_SPACE}]`;
      } else if (n === 'A') out += '^';
      else if (n === 'z') out += '$';
      else if (n === 'Z') throw refuse(pattern, '\\Z (RE2 does not support it)');
      else if (n === 'C') {
        if (inClass || !/^[*+]/.test(pattern.slice(i))) throw refuse(pattern, '\\C (one byte) only translates as \\C* or \\C+');
        out += '[\\s\\S]';
      } else if (n === 'p' || n === 'P') {
        let name: string;
        if (pattern[i] === '{') {
          const end = pattern.indexOf('}', i);
          if (end < 0) throw refuse(pattern, 'unterminated \\p{');
          name = pattern.slice(i + 1, end);
          i = end + 1;
        } else {
          name = pattern[i] ?? '';
          i += 1;
        }
        const neg = name.startsWith('^');
        const p = property(neg ? name.slice(1) : name);
        out += (n === 'P') !== neg ? p.replace('\\p', '\\P') : p;
      } else if (/[dDwWbBtnrfvx0]/.test(n)) out += `\\${n}`;
      else if (/[a-zA-Z]/.test(n)) throw refuse(pattern, `escape \\${n} is not RE2 syntax graft knows`);
      else out += escapeLiteral(n);
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const name = end < 0 ? '' : pattern.slice(i + 2, end);
        const neg = name.startsWith('^');
        const body = POSIX[neg ? name.slice(1) : name];
        if (!body || neg) throw refuse(pattern, `POSIX class [:${name}:]`);
        out += body;
        i = end + 2;
        continue;
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i += 1;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      i += 1;
      if (pattern[i] === '^') {
        out += '^';
        i += 1;
      }
      if (pattern[i] === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i);
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += named[0].length;
        continue;
      }
      if (rest.startsWith('(?:')) {
        out += '(?:';
        i += 3;
        continue;
      }
      throw refuse(pattern, `group syntax '${rest.slice(0, 4)}' (lookaround and inline flags are not RE2, or not translatable)`);
    }
    if (c === '.') {
      out += dotAll ? '[\\s\\S]' : '[^\\n]';
      i += 1;
      continue;
    }
    if (c === '{') {
      const rep = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (rep) {
        out += rep[0];
        i += rep[0].length;
      } else {
        out += '\\{';
        i += 1;
      }
      continue;
    }
    if (c === '}' || c === ']') {
      out += `\\${c}`;
      i += 1;
      continue;
    }
    out += c;
    i += 1;
  }
  if (inClass) throw refuse(pattern, 'missing ]');
  try {
    new RegExp(out, flags);
  } catch (e) {
    throw refuse(pattern, `does not compile: ${(e as Error).message}`);
  }
  return { source: out, flags };
}

const cache = new Map<string, RegExp>();

/** A RegExp that matches the whole subject (RE2::FullMatch). */
export function fullMatcher(pattern: string): RegExp {
  const key = `full:${pattern}`;
  let r = cache.get(key);
  if (!r) {
    const { source, flags } = re2ToJs(pattern);
    r = new RegExp(`^(?:${source})$`, flags.replace('m', ''));
    cache.set(key, r);
  }
  return r;
}

/** A RegExp for RE2::Replace / GlobalReplace. */
export function searchMatcher(pattern: string, global: boolean): RegExp {
  const key = `${global ? 'g' : '1'}:${pattern}`;
  let r = cache.get(key);
  if (!r) {
    const { source, flags } = re2ToJs(pattern);
    r = new RegExp(source, global ? `${flags}g` : flags);
    cache.set(key, r);
  }
  return r;
}

/**
 * A replacer for RE2's rewrite string: `\0`..`\9` insert groups, `\\` a backslash; any other
 * backslash is an error, as in RE2.
 */
export function rewriter(rewrite: string, groups: number): (match: string, ...args: unknown[]) => string {
  const parts: (string | number)[] = [];
  let lit = '';
  for (let i = 0; i < rewrite.length; i++) {
    const c = rewrite[i]!;
    if (c !== '\\') {
      lit += c;
      continue;
    }
    const n = rewrite[++i];
    if (n === '\\') lit += '\\';
    else if (n !== undefined && /[0-9]/.test(n)) {
      const g = Number(n);
      if (g > groups) throw new GraftError('runtime/failed', `Rewrite '${rewrite}' uses \\${g}, but the pattern has ${groups} group(s)`);
      parts.push(lit, g);
      lit = '';
    } else throw new GraftError('runtime/failed', `Rewrite '${rewrite}': invalid rewrite pattern (a backslash must be followed by a digit or another backslash)`);
  }
  parts.push(lit);
  return (match, ...args) => {
    let s = '';
    for (const p of parts) {
      if (typeof p === 'string') s += p;
      else s += p === 0 ? match : ((args[p - 1] as string | undefined) ?? '');
    }
    return s;
  };
}

/** Number of capturing groups of a JS RegExp. */
export function groupCount(r: RegExp): number {
  return new RegExp(`${r.source}|`, r.flags.replace('g', '')).exec('')!.length - 1;
}
