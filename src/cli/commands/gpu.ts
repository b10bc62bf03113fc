import { UsageError, type CliCommand } from '../io';

export const gpuCommand: CliCommand = {
  name: 'gpu',
  summary: '(not yet available)',
  usage: 'usage: modelmon gpu',
  async run() {
    throw new UsageError('not yet available');
  },
};
