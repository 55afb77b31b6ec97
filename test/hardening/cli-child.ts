/**
 * The CLI as a child process for the hardening suite: runs `main` and, on exit, reports the
 * process's peak resident memory on stderr (`@@maxrss <KiB>`), so each case can assert it.
 */
import { main } from '../../src/cli/main';

const code = await main(process.argv.slice(2));
process.stderr.write(`\n@@maxrss ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
