// What a GPU node has opened, released in the reverse order whatever fails: one part that cannot
// close must not leave the others (a bound port, an open database, a tracing exporter) behind.

export class ReleaseError extends AggregateError {
  constructor(errors: { part: string; error: unknown }[]) {
    super(
      errors.map((e) => e.error),
      `could not release ${errors.map((e) => `the ${e.part} (${(e.error as Error)?.message ?? String(e.error)})`).join(", ")}; everything else was released`,
    );
    this.name = "ReleaseError";
  }
}

export class OpenedParts {
  private readonly parts: { part: string; release: () => unknown }[] = [];
  private releasing: Promise<void> | null = null;

  /** Remembers how to release `part`, opened just now. */
  add(part: string, release: () => unknown): void {
    this.parts.push({ part, release });
  }

  /** Releases every part, last opened first; rejects with every failure once all were tried. */
  releaseAll(): Promise<void> {
    this.releasing ??= (async () => {
      const failures: { part: string; error: unknown }[] = [];
      for (const { part, release } of this.parts.reverse()) {
        try {
          await release();
        } catch (error) {
          failures.push({ part, error });
        }
      }
      if (failures.length > 0) throw new ReleaseError(failures);
    })();
    return this.releasing;
  }
}
