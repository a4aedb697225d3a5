// Stop sequences matched on the generated text itself. node-llama-cpp matches stop triggers on tokens,
// which misses strings such as " Lily" whose leading space belongs to the token; matching text is exact:
// the answer is everything before the first stop sequence. While streaming, text that could be the start
// of a stop sequence is held back until it is known not to be one.
export class StopDetector {
  private text = "";
  private emitted = 0;
  private stoppedAt: number | null = null;
  private readonly longest: number;

  constructor(
    private readonly stops: readonly string[],
    private readonly emit: (text: string) => void,
  ) {
    this.longest = Math.max(0, ...stops.map((s) => s.length));
  }

  get stopped(): boolean {
    return this.stoppedAt !== null;
  }

  /** The answer so far: up to the stop sequence once one was seen. */
  get result(): string {
    return this.stoppedAt === null ? this.text : this.text.slice(0, this.stoppedAt);
  }

  /** Adds a chunk; returns true when a stop sequence has now appeared. */
  push(chunk: string): boolean {
    if (this.stoppedAt !== null) return true;
    const searchFrom = Math.max(0, this.text.length - this.longest + 1);
    this.text += chunk;
    let first = -1;
    for (const stop of this.stops) {
      const at = this.text.indexOf(stop, searchFrom);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) {
      this.stoppedAt = first;
      this.flush(first);
      return true;
    }
    this.flush(this.text.length - this.heldBack());
    return false;
  }

  /** Emits whatever is still held back (at the end of a generation that did not stop). */
  finish(): void {
    this.flush(this.stoppedAt ?? this.text.length);
  }

  /** Length of the longest suffix of the text that is a prefix of a stop sequence. */
  private heldBack(): number {
    for (let length = Math.min(this.longest - 1, this.text.length); length > 0; length--) {
      const suffix = this.text.slice(this.text.length - length);
      if (this.stops.some((stop) => stop.startsWith(suffix))) return length;
    }
    return 0;
  }

  private flush(upTo: number): void {
    if (upTo > this.emitted) {
      this.emit(this.text.slice(this.emitted, upTo));
      this.emitted = upTo;
    }
  }
}
