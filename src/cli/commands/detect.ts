import { UsageError, type CliCommand } from '../io';

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: '(not yet available)',
  usage: 'usage: modelmon detect',
  async run() {
    throw new UsageError('not yet available');
  },
};
