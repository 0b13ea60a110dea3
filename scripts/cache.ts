/** Where the scripts and tests keep what they fetch and build (headers, interpreters, editors, runtime proofs). */
import * as os from 'node:os';
import * as path from 'node:path';

export const CACHE = process.env.ABI3LINT_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'abi3lint');
