// What the gate shows after a scan, and the signals it shows outside of scans.
// ui-led maps each kind to an LED/buzzer/relay pattern; logs record the kind.

export const OUTCOME_KINDS = [
  'pass', // portal: 可
  'pass-with-notice', // 可, but a NAT/vaccination finding failed and the venue policy only warns
  'deny', // portal: 否-禁止通行
  'show-code', // portal: 否-请出示通行码
  'check-skm', // portal: 否-请检查苏康码
  'policy-deny', // 可 from the portal, but the venue's NAT/vaccination preset is not met
  'not-bound', // the device is not bound to a venue
  'network-error', // portal unreachable, timed out or untrustworthy: check manually
  'read-error', // the code or card could not be read
] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export const SIGNAL_KINDS = [
  ...OUTCOME_KINDS,
  'bind-mode', // waiting for a venue code to be scanned
  'not-venue-code', // in bind mode, a scanned code that is no venue code: bind mode goes on
  'bind-ok',
  'bind-failed',
  'selftest',
  // An input the gate could not take (busy, queue full, bind mode): played on top of whatever
  // shows, never in its place (ui-led OVERLAY_KINDS). Not an outcome: no verdict line, no counter.
  'input-dropped',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
