// The scenario suites against the local-folder target (no server needed).
import { fixtureScenarios } from './scenarios-fixture.js';
import { edgeScenarios } from './scenarios-edge.js';
import { saveScenarios } from './scenarios-save.js';
import { mergeScenarios } from './scenarios-merge.js';
import { explorerScenarios } from './scenarios-explorer.js';
import { localEnvFactory } from '../harness/env.js';

fixtureScenarios(localEnvFactory());
edgeScenarios(localEnvFactory());
saveScenarios(localEnvFactory());
mergeScenarios(localEnvFactory());
explorerScenarios(localEnvFactory());
