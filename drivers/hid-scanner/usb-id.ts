// USB vendor and product ids are 16-bit numbers. Plain data, so the config schema offers the same
// range without loading the driver and its node-hid bindings.
export const MAX_USB_ID = 0xffff;

export function isUsbId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_USB_ID;
}
