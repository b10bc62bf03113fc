import { UsageError, type CliCommand } from '../io';

export const statsCommand: CliCommand = {
  name: 'stats',
  summary: '(not yet available)',
  usage: 'usage: modelmon stats',
  async run() {
    throw new UsageError('not yet available');
  },
};
