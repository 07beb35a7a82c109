// Text from a server (file names, keyboard-interactive prompts, certificate subjects) may hold
// control characters: ESC sequences that a terminal obeys (clear the screen, set the title, write
// the clipboard with OSC 52) or a carriage return that overwrites what was printed. Everything the
// CLI prints goes through `visible`: C0 and C1 controls and DEL are shown as \xNN / \u00NN, as
// OpenSSH does with what a server sends. Line breaks and tabs stay.

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function visible(text: string): string {
  return text.replace(CONTROLS, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x80 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}
