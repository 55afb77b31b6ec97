/**
 * Runs a CLI command in-process as `main()` does: what it prints is captured, and an error it
 * throws becomes its message on stderr and an exit code (no stack, no process exit).
 */
import { type Io, reportError } from '../../src/cli/output';

export type Command = (args: readonly string[], io: Io) => Promise<number>;

export interface CommandResult {
  readonly code: number;
  /** What the command printed, one entry per call. */
  readonly stdout: string[];
  readonly stderr: string[];
  /** The same, joined by newlines. */
  readonly out: string;
  readonly err: string;
}

export async function invokeCommand(cmd: Command, args: readonly string[]): Promise<CommandResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
  let code: number;
  try {
    code = await cmd(args, io);
  } catch (e) {
    code = reportError(e, io, false);
  }
  return { code, stdout, stderr, out: stdout.join('\n'), err: stderr.join('\n') };
}
