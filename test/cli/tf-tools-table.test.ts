/**
 * docs/tensorflow-tools.md lists every flag of TensorFlow's tools and graft's handling. This test
 * keeps it honest both ways: the flags listed are exactly those TensorFlow defines (the lists below,
 * read from TensorFlow's sources), and each row holds on the real command line: every listed flag is
 * accepted (no "Unknown flag"), and every "ignored" one prints its note.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';

/**
 * TensorFlow's flags per tool: freeze_graph.py's argparse flags (TF 1.x and 2.x, which renamed the
 * white/blacklist flags), transform_graph.cc's and summarize_graph_main.cc's `Flag` lists, and the
 * saved_model_cli.py flags each subcommand reads.
 */
const TF_FLAGS: Record<string, { command: string; flags: string[] }> = {
  freeze_graph: {
    command: 'freeze',
    flags: [
      'input_graph', 'input_saver', 'input_binary', 'input_checkpoint', 'output_node_names', 'restore_op_name', 'filename_tensor_name',
      'output_graph', 'clear_devices', 'initializer_nodes', 'variable_names_whitelist', 'variable_names_allowlist', 'variable_names_blacklist',
      'variable_names_denylist', 'input_meta_graph', 'input_saved_model_dir', 'saved_model_tags', 'checkpoint_version',
    ],
  },
  transform_graph: { command: 'transform', flags: ['in_graph', 'out_graph', 'inputs', 'outputs', 'transforms', 'output_as_text'] },
  summarize_graph: { command: 'summarize', flags: ['in_graph', 'print_structure'] },
  'saved_model_cli show': { command: 'show', flags: ['dir', 'all', 'tag_set', 'signature_def', 'list_ops'] },
  'saved_model_cli run': {
    command: 'run',
    flags: ['dir', 'tag_set', 'signature_def', 'inputs', 'input_exprs', 'input_examples', 'outdir', 'overwrite', 'tf_debug', 'worker', 'init_tpu', 'use_tfrt'],
  },
  'saved_model_cli scan': { command: 'scan', flags: ['dir', 'tag_set', 'op_denylist'] },
};

interface Row {
  readonly flag: string;
  readonly handling: string;
}

/** The doc's sections `## \`tool\` → \`graft cmd\`` and their `| \`--flag\` | handling | note |` rows. */
function documented(): Map<string, { command: string; rows: Row[] }> {
  const text = readFileSync(path.join(import.meta.dirname, '../../docs/tensorflow-tools.md'), 'utf8');
  const out = new Map<string, { command: string; rows: Row[] }>();
  let current: Row[] | null = null;
  for (const line of text.split('\n')) {
    const head = /^## `([^`]+)` → `graft ([\w-]+)`/.exec(line);
    if (head) {
      current = [];
      out.set(head[1]!, { command: head[2]!, rows: current });
      continue;
    }
    if (line.startsWith('## ')) current = null;
    const row = /^\| `--(\w+)` \| (\w+) \|/.exec(line);
    if (row && current) current.push({ flag: row[1]!, handling: row[2]! });
  }
  return out;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const doc = documented();

describe('docs/tensorflow-tools.md', () => {
  it('has one section per TensorFlow tool, naming the graft command, and lists exactly its flags', () => {
    expect([...doc.keys()].sort()).toEqual(Object.keys(TF_FLAGS).sort());
    for (const [tool, { command, flags }] of Object.entries(TF_FLAGS)) {
      const d = doc.get(tool)!;
      expect(d.command, tool).toBe(command);
      expect(d.rows.map((r) => r.flag).sort(), tool).toEqual([...flags].sort());
      for (const r of d.rows) expect(['supported', 'ignored', 'refused'], `${tool} --${r.flag}`).toContain(r.handling);
    }
  });

  const cases = [...doc].flatMap(([tool, d]) => d.rows.map((r) => [tool, d.command, r.flag, r.handling] as const));
  it.each(cases)('%s → graft %s --%s: %s', async (_tool, command, flag, handling) => {
    // Flags are parsed before --help is acted on: an unknown flag fails here.
    const help = await cli(command, `--${flag}=true`, '--help');
    expect(help.err).not.toContain('Unknown flag');
    if (handling === 'refused') {
      const r = await cli(command, `--${flag}=true`);
      expect(r.code).not.toBe(0);
    } else expect(help.code).toBe(0);
    if (handling === 'ignored') {
      const r = await cli(command, `--${flag}=true`);
      expect(r.err).toContain(`note: --${flag} is accepted and ignored: `);
    }
  });
});
