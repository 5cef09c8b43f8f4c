// Loads the folder named on the command line and prints what was loaded and skipped as JSON.
// Used by behaviour.test.ts to load as an unprivileged user, where file permissions apply;
// the test bundles it (run-as-nobody.ts) so the child needs nothing from the checkout.
import { loadFolder } from '../../../src-main/engine/datasets/folder.js';

void loadFolder(process.argv[2], { cacheDir: null }).then((ds) => {
  console.log(JSON.stringify({ n: ds.n, files: ds.files, skipped: ds.skipped }));
});
