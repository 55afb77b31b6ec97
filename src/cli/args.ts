/**
 * Flag parsing for the commands, in the forms TensorFlow's tools accept: `--flag=value` and
 * `--flag value`, bare booleans (`--input_binary`, `--clear_devices`) and `--flag=true|false`,
 * repeated flags, TF 1.x and 2.x spellings of one flag (aliases), and flags TensorFlow itself
 * ignores (accepted, with a one-line note). An unknown flag is a `cli/usage` error with graft's
 * own did-you-mean, never Node's parser text.
 */
import { GraftError } from '../errors';
import { nearestNames } from '../suggest';

export interface FlagSpec {
  /** `boolean` flags stand alone (`--json`) or take `=true|false`; `string` flags take a value. */
  readonly type: 'string' | 'boolean';
  /** Repeatable: the value is an array of every occurrence. */
  readonly multiple?: boolean;
  /** A one-letter form (`-h`). */
  readonly short?: string;
  /**
   * For a `string` flag: may also stand alone, meaning `true` (TensorFlow's bool flags written as
   * `--input_binary` or `--input_binary=false`; a following `true`/`false` word is its value).
   */
  readonly bare?: boolean;
  /**
   * For a `string` flag: may stand alone, meaning `true`, when no value follows (the end of the
   * arguments or another `--flag`); otherwise it takes the next argument as its value. For a flag
   * TensorFlow once defined as a bool and later as a path (freeze_graph's `--input_meta_graph`).
   */
  readonly optionalValue?: boolean;
  /** Other spellings (TF 1.x / 2.x names); the value is stored under this flag's name. */
  readonly aliases?: readonly string[];
  /** Accepted but without effect: why (printed as a note when the flag is given). */
  readonly ignored?: string;
}

export type Options = Readonly<Record<string, FlagSpec>>;

type ValueOf<S extends FlagSpec> = S extends { readonly type: 'boolean' }
  ? S extends { readonly multiple: true } ? boolean[] : boolean
  : S extends { readonly multiple: true } ? string[] : string;

export type FlagValues<O extends Options> = { -readonly [K in keyof O]?: ValueOf<O[K]> } & { debug?: boolean; help?: boolean };

export interface ParsedFlags<O extends Options> {
  readonly values: FlagValues<O>;
  readonly positionals: string[];
  /** One line per ignored flag that was given (`--input_saver is accepted and ignored: ...`). */
  readonly notes: string[];
}

const COMMON: Options = { debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
export const BOOL_WORD = /^(true|false|1|0|yes|no)$/i;

function boolValue(flag: string, v: string): boolean {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new GraftError('cli/usage', `--${flag} takes true or false, not '${v}'`);
}

/**
 * Parses `args` against `options`; `usage` follows every usage error.
 *
 * @example
 * ```ts
 * const { values } = parseFlags(['--input_binary', '--output_graph', 'f.pb'], { input_binary: { type: 'string', bare: true }, output_graph: { type: 'string' } }, usage);
 * // values.input_binary === 'true', values.output_graph === 'f.pb'
 * ```
 */
export function parseFlags<O extends Options>(args: readonly string[], options: O, usage: string): ParsedFlags<O> {
  const all: Record<string, FlagSpec> = { ...COMMON, ...options };
  const byName = new Map<string, string>();
  for (const [name, spec] of Object.entries(all)) {
    byName.set(name, name);
    for (const a of spec.aliases ?? []) byName.set(a, name);
    if (spec.short) byName.set(spec.short, name);
  }
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const notes: string[] = [];
  const usageError = (message: string) => new GraftError('cli/usage', `${message}\n${usage}`);
  const set = (name: string, spec: FlagSpec, v: string | boolean) => {
    if (spec.multiple) ((values[name] ??= []) as unknown[]).push(v);
    else values[name] = v;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    const long = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    const short = long ? null : /^-([A-Za-z])$/.exec(arg);
    if (!long && !short) {
      positionals.push(arg);
      continue;
    }
    const given = long ? long[1]! : short![1]!;
    let inline = long ? long[2] : undefined;
    let name = byName.get(given);
    let negated = false;
    if (name === undefined && long && given.startsWith('no') && byName.has(given.slice(2)) && all[byName.get(given.slice(2))!]!.type === 'boolean') {
      name = byName.get(given.slice(2))!; // absl's --noflag
      negated = true;
    }
    if (name === undefined) {
      const candidates = Object.keys(all).flatMap((n) => [n, ...(all[n]!.aliases ?? [])]);
      const near = nearestNames(given, candidates, 2);
      throw usageError(`Unknown flag ${long ? '--' : '-'}${given}${near.length ? ` (did you mean ${near.map((n) => `--${n}`).join(' or ')}?)` : ''}`);
    }
    const spec = all[name]!;
    if (spec.type === 'boolean') {
      if (negated) {
        if (inline !== undefined) throw usageError(`--${given} takes no value`);
        set(name, spec, false);
      } else if (inline !== undefined) set(name, spec, boolValue(given, inline));
      else if (i + 1 < args.length && BOOL_WORD.test(args[i + 1]!) && spec.bare !== false) set(name, spec, boolValue(given, args[++i]!));
      else set(name, spec, true);
    } else {
      if (inline === undefined) {
        const next = args[i + 1];
        if (spec.bare) {
          inline = next !== undefined && BOOL_WORD.test(next) ? (i++, next) : 'true';
        } else if (spec.optionalValue && (next === undefined || (next.startsWith('--') && next.length > 2))) {
          inline = 'true';
        } else {
          if (next === undefined || (next.startsWith('--') && next.length > 2)) throw usageError(`--${given} needs a value (--${given}=VALUE or --${given} VALUE)`);
          inline = next;
          i++;
        }
      }
      set(name, spec, inline);
    }
    if (spec.ignored) notes.push(`note: --${given} is accepted and ignored: ${spec.ignored}`);
  }
  return { values: values as FlagValues<O>, positionals, notes };
}

/** A `bare` string flag's value as a boolean (`undefined` → `fallback`); `cli/usage` otherwise. */
export function flagBool(name: string, v: string | boolean | undefined, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  return boolValue(name, v);
}

/** TensorFlow's `Split(s, ',')`: empty → [], empty tokens kept. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  return value.split(',');
}
