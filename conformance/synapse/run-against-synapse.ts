import { runConformanceSuite } from "../harness/run-vitest.js";
import { ensureSynapseInstalled } from "./ensure-synapse-installed.js";

// `npm run conformance:synapse [-- <vitest args>]`: proves the suite tests Matrix, not Myelin's quirks.
ensureSynapseInstalled();
process.exit(await runConformanceSuite("synapse", process.argv.slice(2)));
