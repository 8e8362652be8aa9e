// The gate policy the gate's unit tests start from (each test changes what it is about).
import type { GatePolicy } from '../../firmware/gate/model.js';

export const TEST_GATE_POLICY: GatePolicy = {
  busyInput: 'drop',
  queueLimit: 1,
  dedupWindowMs: 3000,
  showMs: 2000,
  verifyDeadlineMs: 3000,
  bindModeMs: 60_000,
  natPolicy: 'deny',
  vaccinationPolicy: 'deny',
};
