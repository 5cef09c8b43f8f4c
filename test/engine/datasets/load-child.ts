// Loads the folder named on the command line and prints what was loaded and skipped as JSON.
// Used by behaviour.test.ts to load as an unprivileged user, where file permissions apply.
import { loadFolder } from '../../../src-main/engine/datasets/folder.js';

const ds = await loadFolder(process.argv[2], { cacheDir: null });
console.log(JSON.stringify({ n: ds.n, files: ds.files, skipped: ds.skipped }));
