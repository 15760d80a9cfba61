// parseArgs with the kit's own wording for mistakes: "unknown option --sped; see --help" rather than
// Node's advice about positional arguments starting with '-'. A negative number after an option that
// takes a value is that value (`--checkpoint-every -5` reads as `--checkpoint-every=-5`, so the option's
// own check names the mistake; parseArgs alone calls it "ambiguous").
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** `--opt -5` -> `--opt=-5` (and `-o -5` -> `--long=-5`) for the options that take a value; after `--` nothing changes. */
export function joinNegativeValues(args: readonly string[], options: ParseArgsConfig['options'] = {}): string[] {
  const takesValue = new Map<string, string>(); // flag as written -> long name
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    takesValue.set(`--${name}`, name);
    if (o.short) takesValue.set(`-${o.short}`, name);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i],
      next = args[i + 1];
    const name = takesValue.get(a);
    if (name !== undefined && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
    if (a === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
  }
  return out;
}

export function parseCli<T extends ParseArgsConfig>(config: T, help = '--help'): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs({ ...config, args: joinNegativeValues(config.args ?? process.argv.slice(2), config.options) }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const name = /'([^']+)'/.exec(err.message)?.[1];
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option ${name ?? ''}; see ${help}`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /ambiguous/.test(err.message))
      throw new Error(`${name} needs a value, and the next argument starts with '-' (a value that does: ${name}=-VALUE); see ${help}`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${err.message.split('\n')[0].replace(/\.$/, '')}; see ${help}`);
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new Error(`unexpected argument ${name ?? ''}; see ${help}`);
    throw e;
  }
}
