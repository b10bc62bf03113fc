import * as vscode from 'vscode';
import type { MonitorLog } from '../log';
import { readSettings } from '../settings';

const CONFIRMED_KEY = 'modelmon.onDrift.confirmed';

/**
 * Runs the user's drift reaction (a workspace task and/or a command) when drift is found.
 * Never in an untrusted workspace, and only after a modal confirmation the first time a given
 * task/command is about to run.
 */
export async function runDriftReaction(result: unknown, state: vscode.Memento, log: MonitorLog): Promise<'ran' | 'none' | 'untrusted' | 'declined'> {
  const { onDriftTask: task, onDriftCommand: command } = readSettings();
  if (!task && !command) return 'none';
  if (!vscode.workspace.isTrusted) {
    log.info('drift reaction skipped: the workspace is not trusted');
    return 'untrusted';
  }
  const what = [task && `task "${task}"`, command && `command "${command}"`].filter(Boolean).join(' and ');
  const confirmed = state.get<string[]>(CONFIRMED_KEY, []);
  if (!confirmed.includes(what)) {
    const allow = 'Run';
    const choice = await vscode.window.showWarningMessage(
      `Model Monitor detected drift. Run the configured ${what} now and whenever drift is detected?`,
      { modal: true, detail: 'Set by modelmon.onDrift.task / modelmon.onDrift.command. You are asked once.' },
      allow,
    );
    if (choice !== allow) {
      log.info(`drift reaction declined: ${what}`);
      return 'declined';
    }
    await state.update(CONFIRMED_KEY, [...confirmed, what]);
  }
  if (task) {
    const tasks = await vscode.tasks.fetchTasks();
    const match = tasks.find((t) => t.name === task);
    if (match) {
      log.info(`drift reaction: running task "${task}"`);
      await vscode.tasks.executeTask(match);
    } else log.warn(`drift reaction: no task named "${task}"`);
  }
  if (command) {
    log.info(`drift reaction: running command "${command}"`);
    try {
      await vscode.commands.executeCommand(command, result);
    } catch (error) {
      log.error(`drift reaction: command "${command}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return 'ran';
}
