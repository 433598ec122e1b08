// Reading a password for `users create --password-prompt` and `users set-password`: from the
// terminal without echo (typed twice), or, when stdin is not a terminal (scripts, tests), the
// first line of stdin. Never from an argument or the environment: those leak into shell
// history and process listings.
import { passwordSchema } from "../../accounts/password.js";
import { describeIssues } from "../../infrastructure/http/validation.js";

export class PasswordInputError extends Error {}

/**
 * Reads one line per prompt from the TTY with echo off throughout (so nothing typed between two
 * prompts is echoed either); Ctrl-C aborts, Backspace edits.
 */
function readHidden(prompts: readonly string[]): Promise<string[]> {
  const { stdin, stderr } = process;
  // Echo off before the first prompt shows: what is typed as soon as it does is never echoed.
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  const answers: string[] = [];
  let typed = "";
  let afterCr = false;
  stderr.write(prompts[0] ?? "");
  return new Promise((resolve, reject) => {
    const done = (finish: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      finish();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        // A pasted "\r\n" ends one line, not two.
        const ignored = afterCr && char === "\n";
        afterCr = char === "\r";
        if (ignored) continue;
        if (char === "\u0003") return done(() => reject(new PasswordInputError("aborted")));
        if (char !== "\r" && char !== "\n") {
          typed = char === "\u007f" || char === "\b" ? typed.slice(0, -1) : typed + char;
          continue;
        }
        answers.push(typed);
        typed = "";
        stderr.write("\n");
        if (answers.length === prompts.length) return done(() => resolve(answers));
        stderr.write(prompts[answers.length]!);
      }
    };
    stdin.on("data", onData);
  });
}

async function firstLineOfStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

/** A password that meets the rules (password.ts), or PasswordInputError saying why not. */
export async function readNewPassword(): Promise<string> {
  let password: string;
  if (process.stdin.isTTY) {
    const [first = "", repeated] = await readHidden(["New password: ", "Repeat it: "]);
    if (repeated !== first) throw new PasswordInputError("the passwords do not match");
    password = first;
  } else {
    password = await firstLineOfStdin();
  }
  const checked = passwordSchema.safeParse(password);
  if (!checked.success) throw new PasswordInputError(describeIssues(checked.error).replace(/^Invalid request: /, ""));
  return checked.data;
}
