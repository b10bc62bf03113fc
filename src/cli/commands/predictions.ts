import { UsageError, type CliCommand } from '../io';

export const predictionsCommand: CliCommand = {
  name: 'predictions',
  summary: '(not yet available)',
  usage: 'usage: modelmon predictions',
  async run() {
    throw new UsageError('not yet available');
  },
};
