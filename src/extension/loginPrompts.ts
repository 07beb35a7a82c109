// SSH keyboard-interactive prompts (one-time codes, 2FA) in the editor: one input box per prompt,
// with the server's instruction text; secrets (echo off) are typed hidden. Never stored.
import type { PromptRequest } from '../core/types.js';

export interface InputBoxOptions {
  title: string;
  prompt: string;
  password: boolean;
  ignoreFocusOut: boolean;
}

/** Ask each prompt in turn; undefined as soon as one box is cancelled. */
export async function askLoginPrompts(
  req: PromptRequest, folderName: string, show: (o: InputBoxOptions) => PromiseLike<string | undefined>,
): Promise<string[] | undefined> {
  const title = `Remote Sync (${folderName}): ${req.name.trim() || `login to ${req.who}`}`;
  const instructions = req.instructions.trim();
  const answers: string[] = [];
  for (const p of req.prompts) {
    const question = p.prompt.trim().replace(/:$/, '') || 'Answer';
    const value = await show({
      title,
      prompt: instructions ? `${instructions} — ${question}` : `${question} (${req.who})`,
      password: !p.echo,
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    answers.push(value);
  }
  return answers;
}
