// File names inside the soak portal's state directory, shared by the soak and its portal process.

/** The portal's SM2 private key (the mock's own key-file format). */
export const PORTAL_KEY_FILE = 'portal.key';
