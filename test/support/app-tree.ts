// App trees, update artifacts and the service supervisor script for the update tests: the lab's
// (scripts/lab/app-tree-lab.ts, shared with the update bench), which builds them with the package
// script's app-tree builder (scripts/package/app-tree.ts) on one prebuilt bundle, linking the Node
// runtime and node_modules/ instead of copying them.
export {
  buildBundle,
  makeAppTree,
  makeArtifact,
  makeInstallRoot,
  makeServiceScript,
} from '../../scripts/lab/app-tree-lab.js';
