import * as vscode from 'vscode';

/** Fires for every deleted file or folder of the workspace. */
export function onDidDeleteAnything(listener: (uri: vscode.Uri) => void): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
  const sub = watcher.onDidDelete(listener);
  return vscode.Disposable.from(sub, watcher);
}
