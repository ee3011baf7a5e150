/**
 * A deterministic stand-in for the shell that `juju exec` runs its commands
 * in. Juju feeds the commands to `/bin/bash -s` on the machine (or in the
 * unit's charm directory) and reports the exit code and output; the
 * simulator has no machine, so it interprets a small, honest subset:
 *
 * - `echo [-n] args…` prints its arguments; `printf` is not emulated;
 * - `hostname` prints the machine's hostname (its instance id, as on LXD);
 * - `whoami` prints `root` (the agents run as root), or the ssh login user;
 * - `cat FILE…` reads the machine's in-memory files, when the caller has
 *   them (ssh sessions of `ssh-server.ts`: what `scp` put there);
 * - `true` and `:` succeed, `false` exits 1, `exit N` stops with N;
 * - commands are separated by newlines or `;`, and `&&` / `||` chain on the
 *   previous exit code, as in bash;
 * - anything else fails like an unknown command in bash: exit code 127 and
 *   `bash: line N: <cmd>: command not found` on stderr.
 *
 * Nothing is ever executed on the host.
 * @module
 */

/** What the simulated shell knows about where it runs. */
export interface ExecEnvironment {
  /** The machine's hostname (`juju-<model>-<id>`). */
  hostname: string;
  /** Who runs the commands; default `root` (the unit agent). */
  user?: string;
  /** The machine's files, for `cat`: content by path, or undefined when missing. */
  readFile?: (path: string) => string | undefined;
}

/** The outcome of a command script, as `utils/exec.ExecResponse`. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Splits one simple command into words, honouring single and double quotes and backslashes. */
export function words(cmd: string): string[] {
  const out: string[] = [];
  let cur = "";
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === "\\" && i + 1 < cmd.length) {
      cur += cmd[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(cur);
      cur = "";
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

interface Step {
  /** How this command joins the previous one. */
  join: ";" | "&&" | "||";
  text: string;
  line: number;
}

/** Splits a script into simple commands on newlines, `;`, `&&` and `||` outside quotes. */
function steps(script: string): Step[] {
  const out: Step[] = [];
  let cur = "";
  let join: Step["join"] = ";";
  let line = 1;
  let quote: string | undefined;
  const push = (next: Step["join"]) => {
    out.push({ join, text: cur.trim(), line });
    cur = "";
    join = next;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === "\n") {
      push(";");
      line++;
    } else if (c === ";") push(";");
    else if (script.startsWith("&&", i)) {
      push("&&");
      i++;
    } else if (script.startsWith("||", i)) {
      push("||");
      i++;
    } else if (c === "#" && cur.trim() === "") {
      // A comment runs to the end of the line.
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
    } else cur += c;
  }
  push(";");
  return out.filter((s) => s.text !== "");
}

/** Runs a command script in the simulated shell. */
export function simulateExec(script: string, env: ExecEnvironment): ExecResult {
  let stdout = "";
  let stderr = "";
  let code = 0;
  for (const s of steps(script)) {
    if (s.join === "&&" && code !== 0) continue;
    if (s.join === "||" && code === 0) continue;
    const [cmd = "", ...args] = words(s.text);
    switch (cmd) {
      case "echo": {
        const noNewline = args[0] === "-n";
        stdout += (noNewline ? args.slice(1) : args).join(" ") + (noNewline ? "" : "\n");
        code = 0;
        break;
      }
      case "hostname":
        stdout += `${env.hostname}\n`;
        code = 0;
        break;
      case "whoami":
        stdout += `${env.user ?? "root"}\n`;
        code = 0;
        break;
      case "cat": {
        if (env.readFile === undefined) {
          stderr += `bash: line ${s.line}: cat: command not found\n`;
          code = 127;
          break;
        }
        code = 0;
        for (const f of args) {
          const text = env.readFile(f);
          if (text === undefined) {
            stderr += `cat: ${f}: No such file or directory\n`;
            code = 1;
          } else stdout += text;
        }
        break;
      }
      case "true":
      case ":":
        code = 0;
        break;
      case "false":
        code = 1;
        break;
      case "exit": {
        const n = Number(args[0] ?? code);
        return { code: Number.isInteger(n) ? n & 255 : 2, stdout, stderr };
      }
      default:
        stderr += `bash: line ${s.line}: ${cmd}: command not found\n`;
        code = 127;
    }
  }
  return { code, stdout, stderr };
}
