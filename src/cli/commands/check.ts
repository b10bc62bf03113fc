import { UsageError, type CliCommand } from '../io';

export const checkCommand: CliCommand = {
  name: 'check',
  summary: '(not yet available)',
  usage: 'usage: modelmon check',
  async run() {
    throw new UsageError('not yet available');
  },
};
