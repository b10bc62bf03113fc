import { UsageError, type CliCommand } from '../io';

export const reportCommand: CliCommand = {
  name: 'report',
  summary: '(not yet available)',
  usage: 'usage: modelmon report',
  async run() {
    throw new UsageError('not yet available');
  },
};
