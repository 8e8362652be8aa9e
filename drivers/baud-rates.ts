// The line rates the UART drivers offer (scanner modules, the ID-card reader). Plain data, so the
// config schema can offer the same list without loading a driver or its serial port bindings.
//
// Only the usual rates: scanner modules and SAM readers are set to one of these, and a mistyped
// rate (96000) would open the port at a speed the device never speaks, reading only noise.
export const STANDARD_BAUD_RATES = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400] as const;
export type StandardBaudRate = (typeof STANDARD_BAUD_RATES)[number];

export function isStandardBaudRate(value: unknown): value is StandardBaudRate {
  return (STANDARD_BAUD_RATES as readonly unknown[]).includes(value);
}
