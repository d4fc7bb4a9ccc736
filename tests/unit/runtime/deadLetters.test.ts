import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../../src/errors.ts';
import { classifyFailure, errorLine } from '../../../src/failureKind.ts';
import { createMetrics } from '../../../src/metrics.ts';

/** An error as node-postgres raises it: a SQLSTATE in `code`. */
const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyFailure: the one place that tells transient from permanent (invariant 10)', () => {
  it.each([
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['connection lost', pgError('08006')],
    ['lock timeout', pgError('55P03')],
    ['admin shutdown', pgError('57P01')],
    ['too many connections', pgError('53300')],
    ['a reset socket', pgError('ECONNRESET')],
    ['a pool that lost its client', new Error('Connection terminated unexpectedly')],
    ['a store that is down', new LedgerError('STORE_UNAVAILABLE', 'down')],
    ['a retriable error of ours', new LedgerError('PROJECTION_FAILED', 'waits', { retriable: true })],
  ])('%s is transient: retried, never skipped', (_name, e) => {
    expect(classifyFailure(e)).toBe('transient');
  });

  it.each([
    ['a value out of a column range', pgError('22003', 'value "9999999999" is out of range for type integer')],
    ['a bad number', pgError('22P02', 'invalid input syntax for type bigint: "180000.5"')],
    ['a constraint', pgError('23505')],
    ['a bug in a handler', new TypeError("Cannot read properties of undefined (reading 'map')")],
    ['a stack overflow', new RangeError('Maximum call stack size exceeded')],
    ['a failed projection of ours', new LedgerError('PROJECTION_FAILED', 'bug')],
  ])('%s is permanent: retried a bounded number of times, then a dead letter', (_name, e) => {
    expect(classifyFailure(e)).toBe('permanent');
  });

  it('keeps one line of the error for users: never a stack', () => {
    const e = new Error('value out of range\n    at something (file.ts:1:1)');
    expect(errorLine(e)).toBe('value out of range');
  });
});

describe('et_ledger_dead_letters', () => {
  it('is a gauge per projection an operator can alert on', async () => {
    const m = createMetrics({ deadLetters: async () => ({ rounds: 2, correlator: 0 }) });
    const text = await m.registry.metrics();
    expect(text).toContain('et_ledger_dead_letters{projection="rounds"} 2');
    expect(text).toContain('et_ledger_dead_letters{projection="correlator"} 0');
  });
});
