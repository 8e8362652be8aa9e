// Stopping and starting the gate service around an update: `systemctl ACTION passgate` on a
// device; $PASSGATE_SERVICE_CTL names another program taking the same arguments (a test's
// supervisor, an init system without systemd).
import { execFile } from 'node:child_process';
import { PassgateError } from '../core/errors.js';

export type ServiceAction = 'stop' | 'start' | 'restart';

export interface ServiceControl {
  /** Resolves once the action has finished. Throws `update.install-failed`. */
  run(action: ServiceAction): Promise<void>;
}

export const SERVICE_NAME = 'passgate';

export function serviceControl(program: string, timeoutMs: number): ServiceControl {
  return {
    run: (action) =>
      new Promise((resolve, reject) => {
        execFile(program, [action, SERVICE_NAME], { timeout: timeoutMs }, (error) => {
          if (!error) resolve();
          else {
            const status = typeof error.code === 'number' ? error.code : (error.signal ?? 'error');
            reject(
              new PassgateError(
                'update.install-failed',
                `\`${program} ${action} ${SERVICE_NAME}\` failed (${status})`,
                { action, status },
                { cause: error },
              ),
            );
          }
        });
      }),
  };
}

export function serviceControlFromEnv(env: NodeJS.ProcessEnv, timeoutMs: number): ServiceControl {
  return serviceControl(env.PASSGATE_SERVICE_CTL || 'systemctl', timeoutMs);
}
