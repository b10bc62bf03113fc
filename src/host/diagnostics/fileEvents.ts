import * as vscode from 'vscode';

let shared: { readonly watcher: vscode.FileSystemWatcher; users: number } | undefined;

/**
 * Fires for every deleted file or folder of the workspace. Deleting a folder reports the folder
 * only, not the files inside it, so per-glob watchers miss those. One recursive watcher serves
 * every subscriber: each extra one would watch the whole workspace again.
 */
export function onDidDeleteAnything(listener: (uri: vscode.Uri) => void): vscode.Disposable {
  shared ??= { watcher: vscode.workspace.createFileSystemWatcher('**/*', true, true, false), users: 0 };
  const current = shared;
  current.users++;
  const subscription = current.watcher.onDidDelete(listener);
  return new vscode.Disposable(() => {
    subscription.dispose();
    if (--current.users === 0) {
      current.watcher.dispose();
      if (shared === current) shared = undefined;
    }
  });
}
