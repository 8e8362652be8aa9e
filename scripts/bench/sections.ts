// The list of bench sections, in the order they run. Each area adds one line here.
import type { BenchSection } from './section.js';

export function sections(): BenchSection[] {
  return [];
}
