/**
 * What a benchmark is. Each `*.bench.ts` file exports a list of cases; `bench/run.ts` registers
 * the lists and runs the ones selected on the command line (`npm run bench -- io`).
 */

/** A benchmark case. `setup` runs once, untimed; `run` is timed (warmup, then N runs). */
export interface BenchCase<Ctx = unknown, Result = unknown> {
  /** Selects the case from the command line (`npm run bench -- io`). */
  readonly group: string;
  /** Unique within its group; shown in the table. Cases with a `baseline` refer to it by this name. */
  readonly name: string;
  /** Bytes the case reads or writes, for the size and MB/s columns. Evaluated after `setup`. */
  readonly bytes?: (ctx: Ctx) => number;
  /** The name of another case in the same group to show a ratio against (this / baseline). */
  readonly baseline?: string;
  /** Untimed preparation; its result is passed to `run`, `check` and `teardown`. */
  readonly setup?: () => Ctx | Promise<Ctx>;
  /** The timed work. Return the result so it stays alive while memory is sampled. */
  readonly run: (ctx: Ctx) => Result | Promise<Result>;
  /** A correctness guard on the last run's result, shown as ✓/✗. Untimed. */
  readonly check?: (ctx: Ctx, result: Result) => boolean | Promise<boolean>;
  /** Untimed clean-up after the last run (temporary files). */
  readonly teardown?: (ctx: Ctx) => void | Promise<void>;
  /** Fixed number of timed runs (otherwise chosen from the time budget). */
  readonly runs?: number;
}

/**
 * Declares a case with its context type inferred from `setup`, and erases the types so that
 * cases of different contexts can sit in one list.
 */
export function defineCase<Ctx, Result>(c: BenchCase<Ctx, Result>): BenchCase {
  return c as unknown as BenchCase;
}
