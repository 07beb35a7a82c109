// When a run's code cache is worth writing.

/**
 * A run that only prints help, the version or a completion script compiles little of the CLI: a
 * cache made after it would hold little more than the top level, and then be used (not replaced) by
 * the commands that follow. The first real command makes the cache instead.
 */
export function onlyPrints(args: string[]): boolean {
  return args.length === 0 || args[0] === 'help' || args[0] === 'completion'
    || args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V');
}
