// passgate-rollback.service: what passgate.service's OnFailure= starts. It must roll a pending
// update back with the version that applied it, and clear the failed unit's start limit first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../support/repo.js';

function directives(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('['))
    .map((line) => {
      const eq = line.indexOf('=');
      return [line.slice(0, eq), line.slice(eq + 1)] as [string, string];
    });
}

describe('passgate-rollback.service', () => {
  const unit = directives(readFileSync(join(REPO, 'firmware/systemd/passgate-rollback.service'), 'utf8'));
  const values = (key: string) => unit.filter(([k]) => k === key).map(([, v]) => v);

  it('is a oneshot that rolls back only a pending update, through the finisher', () => {
    expect(values('Type')).toEqual(['oneshot']);
    expect(values('ExecStart')).toEqual(['/usr/lib/passgate/passgate-update-finish rollback --if-pending']);
    expect(values('ExecStartPre')).toEqual(['-/usr/bin/systemctl reset-failed passgate.service']);
    expect(values('Environment').join(' ')).toContain('PASSGATE_DATA_DIR=/var/lib/passgate');
  });
});
