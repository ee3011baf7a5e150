/**
 * Whether the CLI colours its output: as the juju CLI, on a terminal only,
 * never with `NO_COLOR` set (https://no-color.org), and as `--color` /
 * `--no-color` say when given.
 * @module
 */

/** The colour decision for one output stream. */
export function useColour(
  flag: boolean | undefined,
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return flag === true;
  if (flag === true) return true;
  return stream.isTTY === true;
}
