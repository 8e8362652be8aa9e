// App trees, update artifacts and the service supervisor script for the update tests: the lab's
// (scripts/lab/app-tree-lab.ts, shared with the update bench), until the package script's
// app-tree builder takes their place.
export {
  buildBundle,
  makeAppTree,
  makeArtifact,
  makeInstallRoot,
  makeServiceScript,
} from '../../scripts/lab/app-tree-lab.js';
