import * as vscode from 'vscode';

let shared: { readonly watcher: vscode.FileSystemWatcher; users: number } | undefined;

/**
 * One recursive watcher of the whole workspace serves every subscriber below: each extra one
 * would watch the whole workspace again. It lives while anyone subscribes.
 */
function subscribe(on: (watcher: vscode.FileSystemWatcher) => vscode.Disposable): vscode.Disposable {
  shared ??= { watcher: vscode.workspace.createFileSystemWatcher('**/*', false, true, false), users: 0 };
  const current = shared;
  current.users++;
  const subscription = on(current.watcher);
  return new vscode.Disposable(() => {
    subscription.dispose();
    if (--current.users === 0) {
      current.watcher.dispose();
      if (shared === current) shared = undefined;
    }
  });
}

/** Whether `uri` is the deleted file or folder, or lies under it. */
export function isAtOrUnder(uri: vscode.Uri, deleted: vscode.Uri): boolean {
  const u = uri.toString();
  const d = deleted.toString();
  return u === d || u.startsWith(`${d}/`);
}

/**
 * Fires for every deleted file or folder of the workspace. Deleting a folder reports the folder
 * only, not the files inside it, so per-glob watchers miss those.
 */
export function onDidDeleteAnything(listener: (uri: vscode.Uri) => void): vscode.Disposable {
  return subscribe((watcher) => watcher.onDidDelete(listener));
}

/**
 * Fires for every folder created in the workspace. Renaming or moving a folder reports the old
 * folder deleted and the new one created, never the files inside, so per-glob watchers miss
 * them: whoever lists files must look inside the new folder.
 */
export function onDidCreateFolder(listener: (uri: vscode.Uri) => void): vscode.Disposable {
  return subscribe((watcher) =>
    watcher.onDidCreate(async (uri) => {
      try {
        if ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) listener(uri);
      } catch {
        // Gone again before we looked: nothing to find in it.
      }
    }),
  );
}
