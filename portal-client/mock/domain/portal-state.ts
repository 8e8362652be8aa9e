// Everything the mock portal keeps: its registries, its residents, the pass-code master key and the
// index of demo residents. This is the PORTAL's synthetic data; none of it goes to a device.
import type { PersonIdentity } from './decide.js';
import type { PortalRegistry } from './registry.js';
import type { ResidentDirectory } from './residents.js';

/** Demo residents by keyword (see demo-dataset.ts), plus an identity the portal does not know. */
export interface DemoIndex {
  /** keyword → resident ref */
  residents: Record<string, string>;
  /** A synthetic ID-card identity with no resident: interface 4's unknown-person case. */
  unknownPerson: PersonIdentity;
}

export interface MockPortalState {
  registry: PortalRegistry;
  residents: ResidentDirectory;
  /** 32 bytes; pass codes are keyed from it (pass-code.ts). */
  passCodeMasterKey: Buffer;
  demo: DemoIndex;
}
