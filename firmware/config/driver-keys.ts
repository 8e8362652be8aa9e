// The input drivers' settings (drivers.*), a part of the settings table (keys.ts). Each driver
// owns its facts (ranges, lists, defaults); these keys import them so the two never disagree.
import { STANDARD_BAUD_RATES } from '../../drivers/baud-rates.js';
import { DEFAULT_CAMERA_DEVICE } from '../../drivers/camera/camera-driver.js';
import { MAX_USB_ID } from '../../drivers/hid-scanner/usb-id.js';
import { IDCARD_READER_DEFAULT_BAUD_RATE } from '../../drivers/idcard/line-settings.js';
import {
  MAX_CODE_LENGTH_BOUNDS,
  SCANNER_PROFILE_NAMES,
  DEFAULT_SERIAL_SCANNER_OPTIONS as SERIAL,
  SERIAL_DATA_BITS,
  SERIAL_PARITIES,
  SERIAL_STOP_BITS,
  SERIAL_SUFFIXES,
} from '../../drivers/serial-scanner/options.js';
import { IDCARD_DEVICE_PATH, SCANNER_DEVICE_PATH } from '../../drivers/supported-devices.js';
import type { KeySpec } from './rules.js';
import { ABSOLUTE_PATH } from './text-values.js';

/** The bounds of a key whose values are the standard baud rates. */
const BAUD_RATE_RULE = {
  min: STANDARD_BAUD_RATES[0],
  max: STANDARD_BAUD_RATES[STANDARD_BAUD_RATES.length - 1],
  allowed: STANDARD_BAUD_RATES,
} as const;

export const DRIVER_KEYS = {
  // serial scanner module
  'drivers.serial.enabled': {
    type: 'bool',
    default: false,
    description: 'Read codes from a serial (UART/USB-CDC) scanner module',
  },
  'drivers.serial.path': {
    type: 'string',
    default: SCANNER_DEVICE_PATH,
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'Serial port of the scanner module (the udev rules link supported ones here)',
  },
  'drivers.serial.baudRate': {
    type: 'int',
    default: SERIAL.baudRate,
    ...BAUD_RATE_RULE,
    description: 'Scanner baud rate (GM65 default 9600)',
  },
  'drivers.serial.dataBits': {
    type: 'enum',
    values: SERIAL_DATA_BITS,
    default: SERIAL.dataBits,
    description: 'Scanner data bits',
  },
  'drivers.serial.parity': {
    type: 'enum',
    values: SERIAL_PARITIES,
    default: SERIAL.parity,
    description: 'Scanner parity',
  },
  'drivers.serial.stopBits': {
    type: 'enum',
    values: SERIAL_STOP_BITS,
    default: SERIAL.stopBits,
    description: 'Scanner stop bits',
  },
  'drivers.serial.suffix': {
    type: 'enum',
    values: SERIAL_SUFFIXES,
    default: SERIAL.suffix,
    description: 'What ends one code on the wire; none = a pause ends it',
  },
  'drivers.serial.profile': {
    type: 'enum',
    values: SCANNER_PROFILE_NAMES,
    default: SERIAL.profile,
    description: 'Command set of the module, for triggering and set-up; generic = read only',
  },
  'drivers.serial.maxCodeLength': {
    type: 'int',
    default: SERIAL.maxCodeLength,
    ...MAX_CODE_LENGTH_BOUNDS,
    description: 'Longest accepted code in bytes; longer input is discarded',
  },
  'drivers.serial.stripAimId': {
    type: 'bool',
    default: SERIAL.stripAimId,
    description: 'Remove a leading AIM symbology id (]Q1 …)',
  },
  'drivers.serial.prefix': {
    type: 'string',
    default: SERIAL.prefix,
    maxLength: 16,
    description: 'Prefix the module puts before every code, removed on reading; empty = none',
  },

  // USB HID keyboard-wedge scanner
  'drivers.hid.enabled': {
    type: 'bool',
    default: false,
    description: 'Read codes from a USB HID keyboard-wedge scanner',
  },
  'drivers.hid.vendorId': {
    type: 'int',
    default: 0,
    min: 0,
    max: MAX_USB_ID,
    description: 'USB vendor id of the HID scanner; 0 = not set',
  },
  'drivers.hid.productId': {
    type: 'int',
    default: 0,
    min: 0,
    max: MAX_USB_ID,
    description: 'USB product id of the HID scanner; 0 = not set',
  },

  // ID-card reader
  'drivers.idcard.enabled': {
    type: 'bool',
    default: false,
    description: 'Read resident ID cards from a GA 467 SAM reader',
  },
  'drivers.idcard.path': {
    type: 'string',
    default: IDCARD_DEVICE_PATH,
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'Serial port of the ID-card reader (the udev rules link supported ones here)',
  },
  'drivers.idcard.baudRate': {
    type: 'int',
    default: IDCARD_READER_DEFAULT_BAUD_RATE,
    ...BAUD_RATE_RULE,
    description: 'ID-card reader baud rate',
  },

  // camera
  'drivers.camera.enabled': { type: 'bool', default: false, description: 'Decode codes from a V4L2 camera' },
  'drivers.camera.device': {
    type: 'string',
    default: DEFAULT_CAMERA_DEVICE,
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'V4L2 camera device',
  },
  'drivers.camera.width': {
    type: 'int',
    default: 640,
    min: 160,
    max: 4096,
    description: 'Camera frame width in pixels',
  },
  'drivers.camera.height': {
    type: 'int',
    default: 480,
    min: 120,
    max: 4096,
    description: 'Camera frame height in pixels',
  },
  'drivers.camera.fps': { type: 'int', default: 10, min: 1, max: 60, description: 'Camera frames per second' },
} as const satisfies Record<string, KeySpec>;
