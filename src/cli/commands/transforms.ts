import { createRegistry } from '../../transform/registry';
import { parseFlags } from '../args';
import type { Io } from '../output';

export const usage = 'Usage: graft transforms [--json]   list every registered transform with its parameters';

export async function transformsCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' } }, usage);
  if (values.help) return io.out(usage), 0;
  const list = createRegistry().list();
  if (values.json) {
    io.out(JSON.stringify(list.map((t) => ({ name: t.name, aliases: t.aliases, summary: t.summary, params: t.params })), null, 2));
    return 0;
  }
  const lines: string[] = [];
  for (const t of list) {
    const aliases = t.aliases.length ? `  (alias: ${t.aliases.map((a) => a.name).join(', ')})` : '';
    lines.push(`${t.name}${aliases}`);
    lines.push(`    ${t.summary}`);
    for (const [name, p] of Object.entries(t.params)) {
      const def = p.hasDefault && p.default !== undefined && !(Array.isArray(p.default) && p.default.length === 0) ? ` = ${JSON.stringify(p.default)}` : '';
      lines.push(`    ${name}: ${p.kind}${p.repeated ? ' (repeatable)' : ''}${def}  ${p.doc}`);
    }
  }
  io.out(lines.join('\n'));
  return 0;
}
