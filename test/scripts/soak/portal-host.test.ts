import { describe, expect, it } from 'vitest';
import { parseDecisionLines } from '../../../scripts/soak/portal-host.js';

describe('parseDecisionLines', () => {
  it('reads the decisions of every portal run in order, and counts what it cannot read', () => {
    const text = [
      '{"v":"V0001","k":"k1","o":"pass","x":0,"at":1000}',
      '{"v":"V0002","k":"k2","o":"deny","x":1,"at":1001}',
      '{"v":"V0001","k":"k3","o":"pa', // a line cut short
      '{"v":"V0003","k":"k4","o":"check-skm","x":0,"at":1005}', // the restarted portal's first
      '{"v":"V0003","k":4,"o":"deny","x":0,"at":1006}', // a key that is not text
      '',
    ].join('\n');
    const { notes, unreadable } = parseDecisionLines(text);
    expect(notes).toEqual([
      { venueCode: 'V0001', key: 'k1', outcome: 'pass', tampered: false, at: 1000 },
      { venueCode: 'V0002', key: 'k2', outcome: 'deny', tampered: true, at: 1001 },
      { venueCode: 'V0003', key: 'k4', outcome: 'check-skm', tampered: false, at: 1005 },
    ]);
    expect(unreadable).toBe(2);
  });

  it('an empty file has no decisions', () => {
    expect(parseDecisionLines('')).toEqual({ notes: [], unreadable: 0 });
  });
});
