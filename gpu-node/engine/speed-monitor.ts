// In-service decoding speed of one model: a rolling figure over its recent requests, compared with the
// speed its thread calibration promised. A calibration can be fooled (a quiet moment) or outlived (other
// work started on the machine); requests far below the promise are the sign to measure again.

/** One request's decoding after its first token (prompt evaluation excluded): tokens and milliseconds. */
export type SpeedSample = { tokens: number; ms: number };

export type SpeedMonitorSettings = {
  /** Requests in the rolling window. */
  windowRequests: number;
  /** The window judges only with at least this many requests and decoded tokens in it. */
  minRequests: number;
  minTokens: number;
  /** Slow: the rolling speed is below this share of the expected speed. */
  slowFactor: number;
};

export type RecentSpeed = { tokensPerSecond: number | null; requests: number; tokens: number; at: string | null };

export type Slowdown = { recentTokensPerSecond: number; expectedTokensPerSecond: number; requests: number; tokens: number };

export class SpeedMonitor {
  private samples: SpeedSample[] = [];
  private lastAt: string | null = null;

  /** `expected`: tokens/s one request should reach (see expectedPerRequest); null judges nothing. */
  constructor(
    private readonly settings: SpeedMonitorSettings,
    private expected: number | null,
  ) {}

  get expectedTokensPerSecond(): number | null {
    return this.expected;
  }

  /** A new calibration: a new promise, and a fresh window (the old samples measured the old threads). */
  reset(expected: number | null): void {
    this.expected = expected;
    this.samples = [];
  }

  /** Adds a request; returns the slowdown when the full window is far below the expectation. */
  record(sample: SpeedSample, at = new Date()): Slowdown | null {
    if (!(sample.tokens > 0 && sample.ms > 0)) return null;
    this.samples.push(sample);
    if (this.samples.length > this.settings.windowRequests) this.samples.shift();
    this.lastAt = at.toISOString();
    const recent = this.recent();
    if (this.expected === null || recent.tokensPerSecond === null) return null;
    if (recent.requests < this.settings.minRequests || recent.tokens < this.settings.minTokens) return null;
    if (recent.tokensPerSecond >= this.expected * this.settings.slowFactor) return null;
    return { recentTokensPerSecond: recent.tokensPerSecond, expectedTokensPerSecond: this.expected, requests: recent.requests, tokens: recent.tokens };
  }

  /** Token-weighted speed of the window: all its tokens over all its decoding time. */
  recent(): RecentSpeed {
    const tokens = this.samples.reduce((sum, s) => sum + s.tokens, 0);
    const ms = this.samples.reduce((sum, s) => sum + s.ms, 0);
    return { tokensPerSecond: ms > 0 ? (tokens * 1000) / ms : null, requests: this.samples.length, tokens, at: this.lastAt };
  }
}
