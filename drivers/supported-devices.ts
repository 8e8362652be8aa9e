// The USB devices a gate supports out of the box, and the stable names the udev rules give them
// (firmware/udev/60-passgate.rules; a test checks the rules against this table).
//
// Serial scanner modules and GA 467 ID-card readers reach the gate through a USB-serial bridge
// chip, so the bridge's vendor:product ID is what the kernel sees. A gate has one scanner and one
// reader, and the kits put them on different bridges: scanner modules on the QinHeng CH340/CH341,
// ID-card readers on Silicon Labs CP210x, FTDI or Prolific bridges. A kit that puts both on the same
// chip names them apart by serial number in a local rule (/etc/udev/rules.d, see the README).
//
// HID keyboard-wedge scanners are opened by vendor:product ID through hidraw (drivers.hid.*); the
// rules give the service user access to every hidraw node of the listed scanner vendors.

/** Where the udev rules link the serial scanner module; the default of drivers.serial.path. */
export const SCANNER_DEVICE_PATH = '/dev/passgate/scanner';
/** Where the udev rules link the ID-card reader; the default of drivers.idcard.path. */
export const IDCARD_DEVICE_PATH = '/dev/passgate/idcard';

export type SerialDeviceRole = 'scanner' | 'idcard';

export interface SupportedSerialDevice {
  role: SerialDeviceRole;
  vendorId: number;
  productId: number;
  /** The bridge chip, as its maker names it. */
  chip: string;
}

export interface SupportedHidVendor {
  vendorId: number;
  /** The scanner maker. */
  vendor: string;
}

export const SUPPORTED_SERIAL_DEVICES: readonly SupportedSerialDevice[] = [
  { role: 'scanner', vendorId: 0x1a86, productId: 0x7523, chip: 'QinHeng CH340' },
  { role: 'scanner', vendorId: 0x1a86, productId: 0x5523, chip: 'QinHeng CH341' },
  { role: 'idcard', vendorId: 0x10c4, productId: 0xea60, chip: 'Silicon Labs CP210x' },
  { role: 'idcard', vendorId: 0x0403, productId: 0x6001, chip: 'FTDI FT232R' },
  { role: 'idcard', vendorId: 0x067b, productId: 0x2303, chip: 'Prolific PL2303' },
];

export const SUPPORTED_HID_SCANNER_VENDORS: readonly SupportedHidVendor[] = [
  { vendorId: 0x0c2e, vendor: 'Honeywell (Metrologic, Hand Held Products)' },
  { vendorId: 0x05e0, vendor: 'Zebra (Symbol Technologies)' },
  { vendorId: 0x05f9, vendor: 'Datalogic (PSC Scanning)' },
  { vendorId: 0x1eab, vendor: 'Newland' },
];

/** The stable path of a role. */
export function stablePathOf(role: SerialDeviceRole): string {
  return role === 'scanner' ? SCANNER_DEVICE_PATH : IDCARD_DEVICE_PATH;
}

/** A USB ID as udev writes it: four lower-case hex digits. */
export function usbIdHex(id: number): string {
  return id.toString(16).padStart(4, '0');
}
