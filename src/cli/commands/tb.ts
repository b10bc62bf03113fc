import { UsageError, type CliCommand } from '../io';

export const tbCommand: CliCommand = {
  name: 'tb',
  summary: '(not yet available)',
  usage: 'usage: modelmon tb',
  async run() {
    throw new UsageError('not yet available');
  },
};
