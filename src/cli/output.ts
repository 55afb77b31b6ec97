/** The CLI's only contact with the terminal: printing results, progress and errors. */
import { describeError, isGraftError, isResourceError } from '../errors';
import { ERROR_HINTS } from './error-hints';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress lines are drawn only then). */
  readonly interactive: boolean;
}

/** Set once the reader of stdout has gone (a closed pipe: `graft summarize m | head -1`). */
let stdoutGone = false;

/**
 * A reader that stops early closes stdout's pipe: graft stops printing and finishes its work (an
 * output being written is completed, never left half done), instead of dying on EPIPE with a stack.
 */
export function toleratePipeClose(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    stdoutGone = true;
  });
}

export const processIo: Io = {
  out: (t) => {
    if (!stdoutGone) process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
  },
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/**
 * Prints an error in one or two lines: the message, then its hint (the error's own, or the one
 * docs/errors.md gives for its code); the stack only with --debug. Returns the exit code.
 */
export function reportError(e: unknown, io: Io, debug: boolean): number {
  if (isGraftError(e)) {
    const message = e.file !== undefined && !e.message.includes(e.file) ? `${e.file}: ${e.message}` : e.message;
    io.err(`graft: error [${e.code}]: ${message}`);
    const hint = e.hint ?? ERROR_HINTS[e.code];
    if (hint) io.err(`  hint: ${hint}`);
    if (debug && e.stack) io.err(e.stack);
    return e.code === 'cli/usage' ? 2 : 1;
  }
  const err = e as Error;
  if (isResourceError(e)) {
    // Not a crash to report with a stack: the input asked for more than the machine has.
    io.err(`graft: error [runtime/too-large]: stopped: ${describeError(e)}`);
    io.err('  hint: The model or its inputs need more memory than is available; check the shapes it declares.');
    if (debug && err?.stack) io.err(err.stack);
    return 1;
  }
  io.err(`graft: internal error: ${err?.message ?? String(e)}`);
  if (debug && err?.stack) io.err(err.stack);
  else io.err('  run again with --debug for the stack trace, and please report it');
  return 70;
}
