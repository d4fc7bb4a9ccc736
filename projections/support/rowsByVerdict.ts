// Rows keyed by their own key and found by the verdict they show (the outbox's and the verdicts'
// folds). A batch of verdicts removes the rows of every verdict each one supersedes: scanning all
// rows per verdict made a batch quadratic (1 000 verdicts × 2 000 rows, and an entry array
// allocated per row visited).

export class RowsByVerdict<R extends { verdict_event_id: string }> {
  readonly rows = new Map<string, R>();
  /** verdict id → keys of rows that showed it (a key may since show another: checked on removal) */
  private readonly byVerdict = new Map<string, string[]>();

  constructor(
    private readonly keyOf: (row: R) => string,
    rows: Iterable<R> = [],
  ) {
    for (const row of rows) this.set(row);
  }

  set(row: R): void {
    const key = this.keyOf(row);
    this.rows.set(key, row);
    const keys = this.byVerdict.get(row.verdict_event_id);
    if (keys) keys.push(key);
    else this.byVerdict.set(row.verdict_event_id, [key]);
  }

  remove(key: string): void {
    this.rows.delete(key);
  }

  /** Removes the rows that show one of these verdicts. */
  removeVerdicts(verdictIds: readonly string[]): void {
    for (const id of verdictIds) {
      for (const key of this.byVerdict.get(id) ?? [])
        if (this.rows.get(key)?.verdict_event_id === id) this.rows.delete(key);
      this.byVerdict.delete(id);
    }
  }
}
