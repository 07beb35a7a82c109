// The commented starter file written by the extension's "Sync: Create Config" (and described in README.md).
// It must stay valid against both the validator and remote-sync.schema.json (a unit test checks).

export const STARTER_CONFIG = `// Remote Sync settings, read by the VS Code extension and by \`remote-sync run\`.
// Passwords and key passphrases never go in this file: VS Code asks once and keeps them in its
// secret storage ("Sync: Set Password"); the CLI uses REMOTE_SYNC_PASSWORD, ~/.netrc or asks.
{
  // Named servers. \`remote-sync run NAME\` picks one; "defaultTarget" is used otherwise.
  "targets": {
    "production": {
      // sftp://user@host[:port]/absolute/folder
      "url": "sftp://deploy@example.com:22/var/www/site"
      // Log in with a key file (else ssh-agent, else a password):
      // "privateKey": "~/.ssh/id_ed25519",
      // "knownHosts": "~/.ssh/known_hosts"
    }
    // An FTP server with TLS (add a comma after the target above when you uncomment this):
    // "staging": {
    //   "protocol": "ftp",
    //   "host": "ftp.example.com",
    //   "port": 21,
    //   "user": "deploy",
    //   "remotePath": "/public_html",
    //   "secure": "explicit",   // false | "explicit" | "implicit"
    //   "passive": true
    // }
  },
  "defaultTarget": "production",

  // The folder that is synced, relative to the workspace folder.
  "localRoot": ".",

  // Upload a file when you save it (never over a remote copy that changed since the last sync).
  "uploadOnSave": false,

  // gitignore-like patterns that are never uploaded, downloaded or deleted.
  // .git, .hg, .svn, .DS_Store and the sync state are always left out.
  "ignore": [".vscode/", "node_modules/"],

  // A file changed on both sides: "ask", "skip", "local", "remote", "new" or "old".
  "conflictPolicy": "ask",

  // Transfers at a time (1-32) can be set with "concurrency"; left out, SFTP keeps 32 transfers in
  // flight on one connection and FTP opens 8 connections.

  // Propagate deletions and renames made in the workspace, and delete in one-way runs.
  "deletePropagation": false,

  // Stop before deleting more than this: a number of files or a percentage of a side.
  "maxDelete": "50%"
}
`;
