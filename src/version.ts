/** graft's version, read from package.json at build time (bundlers inline the one field). */
import { version } from '../package.json';

export const VERSION: string = version;
