import { UsageError, type CliCommand } from '../io';

export const integrityCommand: CliCommand = {
  name: 'integrity',
  summary: '(not yet available)',
  usage: 'usage: modelmon integrity',
  async run() {
    throw new UsageError('not yet available');
  },
};
