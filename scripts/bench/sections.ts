// The list of bench sections, in the order they run. Each area adds one line here.
import { authorizeSection } from './authorize.js';
import { cameraSection } from './camera.js';
import { cameraGateSection } from './camera-gate.js';
import { cameraHardSection } from './camera-hard.js';
import { configSection } from './config.js';
import { cryptoSection } from './crypto.js';
import { gateSection } from './gate.js';
import { gridMatrixSection } from './gridmatrix.js';
import { idcardSection } from './idcard.js';
import { memoryFloorSection } from './memory-floor.js';
import { memoryOptionsSection } from './memory-options.js';
import { packageSection } from './package.js';
import { portalSection } from './portal.js';
import type { BenchSection } from './section.js';
import { serialSection } from './serial.js';
import { uiLedSection } from './ui-led.js';
import { updateSection } from './update.js';

export function sections(): BenchSection[] {
  return [
    serialSection,
    cryptoSection,
    authorizeSection,
    configSection,
    idcardSection,
    portalSection,
    uiLedSection,
    cameraSection,
    cameraHardSection,
    gridMatrixSection,
    memoryFloorSection,
    gateSection,
    memoryOptionsSection,
    packageSection,
    updateSection,
    cameraGateSection,
  ];
}
