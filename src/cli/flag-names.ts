/**
 * Library messages name options as the API spells them, in backticks (`` `maxDiff` ``); a command
 * reports them with its own flag names in their place (`--max_diff`). The library's option errors
 * (`optimize/bad-option`, `optimize/bad-input`, `verify/bad-input`), and `api/bad-argument` naming one of the
 * command's options, become usage errors here (exit 2).
 */
import { GraftError, type ErrorCode, isGraftError } from '../errors';

/** Backticked option names (as the library writes them) to a command's flags. */
export type FlagNames = Readonly<Record<string, string>>;

/** Codes that, thrown from a command's options, are the user's wrong flags. */
const OPTION_CODES: ReadonlySet<ErrorCode> = new Set(['optimize/bad-option', 'optimize/bad-input', 'verify/bad-input']);

/** `text` with every `` `option` `` that `flags` knows replaced by its flag. */
export function withFlagNames(text: string, flags: FlagNames): string {
  return text.replace(/`([^`\n]+)`/g, (whole, name: string) => (Object.hasOwn(flags, name) ? flags[name]! : whole));
}

/**
 * The error as the command reports it: flag names in message and hint; option errors, and a bad
 * argument whose `param` is one of the command's flags, as usage errors.
 */
export function flagError(e: unknown, flags: FlagNames): unknown {
  if (!isGraftError(e)) return e;
  const message = withFlagNames(e.message, flags);
  const hint = e.hint === undefined ? undefined : withFlagNames(e.hint, flags);
  const flagArgument = e.code === 'api/bad-argument' && e.param !== undefined && Object.hasOwn(flags, e.param);
  const code = OPTION_CODES.has(e.code) || flagArgument ? 'cli/usage' : e.code;
  if (message === e.message && hint === e.hint && code === e.code) return e;
  return new GraftError(code, message, {
    ...(e.file !== undefined ? { file: e.file } : {}),
    ...(e.node !== undefined ? { node: e.node } : {}),
    ...(e.op !== undefined ? { op: e.op } : {}),
    ...(hint !== undefined ? { hint } : {}),
    ...(e.param !== undefined ? { param: e.param } : {}),
    cause: e,
  });
}
