/** Flag parsing for the commands: node's util.parseArgs, with TensorFlow-style `--flag=value`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GraftError } from '../errors';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(args: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...args], options: { ...options, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new GraftError('cli/usage', `${(e as Error).message.split('\n')[0]}\n${usage}`);
  }
}

/** TensorFlow's `Split(s, ',')`: empty → [], empty tokens kept. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  return value.split(',');
}
