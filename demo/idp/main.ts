/**
 * Runs the demo IdP on its own: the same as `npx lti-launcher idp [options]` (see `--help`), for
 * running it from source with node --import tsx demo/idp/main.ts [options].
 */
import { main } from '../../src/cli.ts';
import { withDemoCommands } from '../commands.ts';

process.exitCode = await main(['idp', ...process.argv.slice(2)], withDemoCommands());
