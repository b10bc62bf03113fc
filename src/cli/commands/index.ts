import type { CliCommand } from '../io';
import { tbCommand } from './tb';
import { detectCommand } from './detect';
import { statsCommand } from './stats';
import { gpuCommand } from './gpu';
import { integrityCommand } from './integrity';
import { predictionsCommand } from './predictions';
import { checkCommand } from './check';
import { reportCommand } from './report';
import { probeCommand } from './probe';
import { trafficCommand } from './traffic';
import { watchCommand } from './watch';
import { efficiencyCommand } from './efficiency';

export const commands: readonly CliCommand[] = [
  tbCommand,
  predictionsCommand,
  detectCommand,
  statsCommand,
  integrityCommand,
  gpuCommand,
  checkCommand,
  reportCommand,
  probeCommand,
  trafficCommand,
  watchCommand,
  efficiencyCommand,
];
