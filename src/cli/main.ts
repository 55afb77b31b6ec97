/**
 * The `graft` command line: thin commands over the public API. This folder is the only place
 * that prints.
 */
import { GraftError } from '../errors';
import { nearestNames } from '../suggest';
import { VERSION } from '../version';
import { removePendingSync, stopPendingWrites, watchPending } from '../io/fs';
import { summarizeCommand } from './commands/summarize';
import { type Io, processIo, reportError, toleratePipeClose } from './output';

type Command = (args: readonly string[], io: Io) => Promise<number>;

const commands: Record<string, { run: () => Promise<Command>; summary: string }> = {
  optimize: { run: async () => (await import('./commands/optimize')).optimizeCommand, summary: 'freeze, transform, convert back, verify and benchmark a SavedModel (the serving workflow)' },
  bench: { run: async () => (await import('./commands/bench')).benchCommand, summary: 'time a model, or two A/B: fixed inputs, warm-up, interleaved runs, median' },
  summarize: { run: async () => summarizeCommand, summary: 'describe a model: inputs, outputs, op counts, unused nodes, sizes' },
  show: { run: async () => (await import('./commands/show')).showCommand, summary: "list a SavedModel's tag-sets and signatures (saved_model_cli show)" },
  scan: { run: async () => (await import('./commands/scan')).scanCommand, summary: "report denylisted ops (WriteFile, ReadFile, PrintV2) in a SavedModel (saved_model_cli scan)" },
  run: { run: async () => (await import('./commands/run')).runCommand, summary: 'run a model on .npy/JSON or generated inputs and print its outputs' },
  diff: { run: async () => (await import('./commands/diff')).diffCommand, summary: 'list the nodes one model removed, added and changed relative to another' },
  compare: { run: async () => (await import('./commands/compare')).compareCommand, summary: 'run two models on the same inputs and compare every output (exit 1 when they differ)' },
  freeze: { run: async () => (await import('./commands/freeze')).freezeCommand, summary: 'freeze variables into constants (freeze_graph; TF1 and TF2 SavedModels)' },
  'to-saved-model': { run: async () => (await import('./commands/to-saved-model')).toSavedModelCommand, summary: 'convert a frozen GraphDef back to a SavedModel (simple_save)' },
  transform: { run: async () => (await import('./commands/transform')).transformCommand, summary: "run graph transforms (TensorFlow's transform_graph flags)" },
  transforms: { run: async () => (await import('./commands/transforms')).transformsCommand, summary: 'list every transform and its parameters' },
};

/** TensorFlow tool names and British spellings, for the did-you-mean of an unknown command. */
const ALIASES: Record<string, string> = {
  optimise: 'optimize',
  freeze_graph: 'freeze',
  transform_graph: 'transform',
  summarize_graph: 'summarize',
  summarise: 'summarize',
  saved_model_cli: 'show',
  benchmark_model: 'bench',
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'graft: make TensorFlow models smaller and faster to serve, with proof.',
    '',
    'Usage: graft <command> [flags]   (graft help <command>, or graft <command> --help, for its flags)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [name, ...rest] = argv;
    if (name === 'help' && rest[0] !== undefined && rest[0] in commands) {
      return await (await commands[rest[0]]!.run())(['--help'], io);
    }
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(help());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      io.out(`graft ${VERSION}`);
      return 0;
    }
    const command = commands[name];
    if (!command) {
      const near = ALIASES[name] ? [ALIASES[name]] : nearestNames(name, [...Object.keys(commands), ...Object.keys(ALIASES)], 2).map((n) => ALIASES[n] ?? n);
      throw new GraftError('cli/usage', `Unknown command '${name}'${near.length ? ` (did you mean ${[...new Set(near)].map((n) => `'${n}'`).join(' or ')}?)` : ''}\n${help()}`);
    }
    return await (await command.run())(rest, io);
  } catch (e) {
    return reportError(e, io, debug);
  }
}

/**
 * While graft holds temporary files or locks, SIGINT and SIGTERM remove them before exiting
 * (130 and 143, as a shell reports a process those signals ended). Outside writes the default
 * behaviour stays, so Ctrl-C stops a long computation at once.
 */
function handleSignalsWhileWriting(io: Io): void {
  const handlers = {
    SIGINT: () => stop('SIGINT', 130),
    SIGTERM: () => stop('SIGTERM', 143),
  };
  let stopped = false;
  function stop(signal: string, code: number): void {
    const report = (removed: string[]) => {
      io.err(`graft: stopped by ${signal}${removed.length ? `; removed ${removed.length} temporary file(s), no partial output left` : ''}`);
      process.exit(code);
    };
    // A second signal while waiting: remove what is there now and go.
    if (stopped) return report(removePendingSync());
    stopped = true;
    // Waits for file operations already on the thread pool, then removes synchronously.
    void stopPendingWrites().then(report);
  }
  watchPending((active) => {
    for (const [signal, handler] of Object.entries(handlers)) {
      if (active) process.on(signal, handler);
      else if (!stopped) process.off(signal, handler);
    }
  });
}

const isEntry = process.argv[1] !== undefined && /(?:^|[\\/])(?:main\.[cm]?[tj]s|cli\.[cm]?js|graft)$/.test(process.argv[1]);
if (isEntry) {
  toleratePipeClose();
  handleSignalsWhileWriting(processIo);
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
