// The serial line of a GA 467 SAM reader. Plain data, so the config schema offers the same
// default without loading the driver and its serial port bindings.

/** The GA 467 readers' usual rate. */
export const IDCARD_READER_DEFAULT_BAUD_RATE = 115_200;
