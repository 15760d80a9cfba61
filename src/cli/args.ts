// parseArgs with the kit's own wording for mistakes: "unknown option --sped; see --help" rather than
// Node's advice about positional arguments starting with '-'.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function parseCli<T extends ParseArgsConfig>(config: T, help = '--help'): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const name = /'([^']+)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option ${name ?? ''}; see ${help}`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${err.message.replace(/\.$/, '')}; see ${help}`);
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new Error(`unexpected argument ${name ?? ''}; see ${help}`);
    throw e;
  }
}
