/**
 * A progress display for long commands: on a terminal, a live block of
 * lines redrawn in place under a spinner; elsewhere (pipes, CI logs), one
 * plain line each time an entry changes, without ANSI codes.
 * @module
 */

/** Where progress goes: `process.stdout`, or a fake in tests. */
export interface ProgressOutput {
  write(chunk: string): unknown;
  /** True on a terminal: draw the live view. */
  isTTY?: boolean;
  /** Terminal width; lines are cut to it so that none wraps and breaks the redraw. */
  columns?: number;
  /** Terminal height; the view never grows past it, since the cursor cannot move above the screen. */
  rows?: number;
}

/** One line of the view, identified by `key` (e.g. `unit ubuntu/0`). */
export interface ProgressEntry {
  key: string;
  text: string;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
// CPL (cursor to the start of a previous line) and ED (erase to the end of the screen).
const up = (n: number) => (n > 0 ? `\x1b[${n}F` : "");
const ERASE_BELOW = "\x1b[J";

/** A live (TTY) or line-by-line (plain) progress view. */
export class ProgressView {
  readonly #out: ProgressOutput;
  readonly #live: boolean;
  #title = "";
  #entries: ProgressEntry[] = [];
  #drawn = 0;
  #frame = 0;
  #started = Date.now();
  readonly #printed = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(out: ProgressOutput, options: { live?: boolean } = {}) {
    this.#out = out;
    this.#live = options.live ?? out.isTTY === true;
    if (this.#live) {
      this.#timer = setInterval(() => {
        this.#frame++;
        this.#draw();
      }, 100);
      // The spinner alone must not keep the process alive.
      this.#timer.unref();
    }
  }

  /** True when drawing the live view. */
  get live(): boolean {
    return this.#live;
  }

  /** Sets the spinner's title (`Deploying "mysql"`); printed once per change in plain mode. */
  title(text: string): void {
    if (this.#stopped || text === this.#title) return;
    this.#title = text;
    this.#started = Date.now();
    if (this.#live) this.#draw();
    else this.#out.write(`${text}\n`);
  }

  /** Replaces the entries; in plain mode prints those whose text changed. */
  update(entries: readonly ProgressEntry[]): void {
    if (this.#stopped) return;
    this.#entries = [...entries];
    if (this.#live) {
      this.#draw();
      return;
    }
    for (const e of entries) {
      if (this.#printed.get(e.key) === e.text) continue;
      this.#printed.set(e.key, e.text);
      this.#out.write(`${e.key}  ${e.text}\n`);
    }
  }

  /**
   * Stops the spinner. The live view keeps the entries' last state on
   * screen (without the title) so that the summary follows it. Idempotent.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.#live) return;
    this.#title = "";
    this.#draw();
    this.#drawn = 0;
  }

  #draw(): void {
    const lines: string[] = [];
    if (this.#title) {
      const secs = ((Date.now() - this.#started) / 1000).toFixed(0);
      lines.push(`${SPINNER[this.#frame % SPINNER.length]} ${this.#title} (${secs}s)`);
    }
    const width = Math.max(...this.#entries.map((e) => e.key.length), 0);
    const room = this.#out.rows ? Math.max(1, this.#out.rows - 2 - lines.length) : Infinity;
    const shown = this.#entries.length > room ? this.#entries.slice(0, room - 1) : this.#entries;
    for (const e of shown) lines.push(`  ${e.key.padEnd(width)}  ${e.text}`);
    if (shown.length < this.#entries.length)
      lines.push(`  … and ${this.#entries.length - shown.length} more`);
    const cols = this.#out.columns;
    const clip = (l: string) => (cols && l.length >= cols ? `${l.slice(0, cols - 2)}…` : l);
    this.#out.write(`${up(this.#drawn)}${ERASE_BELOW}${lines.map((l) => `${clip(l)}\n`).join("")}`);
    this.#drawn = lines.length;
  }
}
