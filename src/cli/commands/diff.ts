import { GraftError } from '../../errors';
import { formatGraphDiff } from '../../inspect/diff';
import { diffModels } from '../../inspect/diff-files';
import { parseFlags } from '../args';
import { toJson } from '../json-flag';
import type { Io } from '../output';

export const usage = `Usage: graft diff A B [--json] [--tag_set serve]
  Lists the nodes B removed, added and changed relative to A: op, device, data inputs (in order),
  control inputs, and each attribute that differs with a short before -> after summary (tensors
  by dtype, shape and a hash of their elements), then one count line.
  A and B are .pb or .pbtxt GraphDefs, .meta files or SavedModel directories. For a SavedModel the
  meta graph's whole graph is compared (--tag_set, default serve), library functions included
  (their nodes are named function/node; a function on one side only is listed whole), and the
  signatures too. Exit code: 0 when the graphs are the same, 1 when they differ, 2 on bad usage.
  --json prints the diff as JSON (docs/json-output.md).`;

export async function diffCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, tag_set: { type: 'string' } }, usage);
  if (values.help) return io.out(usage), 0;
  if (positionals.length !== 2) throw new GraftError('cli/usage', `diff takes two model paths\n${usage}`);
  const d = await diffModels(positionals[0]!, positionals[1]!, values.tag_set !== undefined ? { tagSet: values.tag_set } : {});
  io.out(values.json ? toJson(d) : formatGraphDiff(d));
  const s = d.summary;
  const sig = d.signatures;
  const same =
    s.removed + s.added + s.changed === 0 &&
    d.functions.removed.length + d.functions.added.length + d.functions.changed.length === 0 &&
    (!sig || sig.removed.length + sig.added.length + sig.changed.length === 0);
  return same ? 0 : 1;
}
