/**
 * Shell completion scripts for bash, zsh and fish, generated from the command table: commands,
 * options (with their short forms), the values an option takes (its choices, files or
 * directories) and the positional arguments. Pure: table in, script text out.
 *
 * Why generated here rather than through a completion library: @bomb.sh/tab 0.0.22, the one the
 * project used, writes a bash script that calls `_get_comp_words_by_ref` (so it fails in a bash
 * without the bash-completion package), declares `readonly` variables (so loading it twice prints
 * errors), and its engine answers every request with "no file completion", so no file argument
 * ever completed. Each shell already has the machinery we need (bash `compgen`, zsh
 * `_arguments`, fish `complete`); what it lacks is the table, so each script is that table
 * written in the shell's own terms, the way clap_complete does it for Rust tools. The scripts
 * are static: a TAB never starts a faultscope process (Deno's start-up would be felt on every
 * key), and they keep working while faultscope is being rebuilt.
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./commands.ts";
 * import { completionScript } from "./completion.ts";
 * const bash = completionScript("bash", COMMANDS);
 * bash.includes("complete -F _faultscope faultscope"); // => true
 * ```
 * @module
 */
import type { CommandSpec, Completion } from "./spec.ts";
import { flagName } from "./spec.ts";

/** The program the scripts complete. */
const PROGRAM = "faultscope";

/** One option as the shells see it. */
interface Flag {
  /** `--json`, `--no-progress`. */
  readonly long: string;
  /** `-j`, when it has one. */
  readonly short?: string;
  readonly help: string;
  /** Present when the option takes a value: its placeholder and what completes it. */
  readonly value?: { readonly name: string; readonly complete: Completion };
  readonly multiple: boolean;
  /** Every form (long and short) of the options it cannot be combined with. */
  readonly excludes: readonly string[];
}

/** One positional argument as the shells see it. */
interface Arg {
  readonly name: string;
  readonly complete: Completion;
  readonly required: boolean;
  readonly variadic: boolean;
}

/** One command, or the top level (name ""), as the shells see it. */
interface Cmd {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly Flag[];
  readonly args: readonly Arg[];
}

const HELP_FLAG: Flag = {
  long: "--help",
  short: "-h",
  help: "show this help",
  multiple: false,
  excludes: [],
};

/** The table in the shape every generator needs; `help <command>` is added to the commands. */
function model(commands: readonly CommandSpec[]): { top: Cmd; commands: Cmd[] } {
  const names = commands.map((c) => c.name);
  const out: Cmd[] = commands.map((spec) => {
    const forms = (key: string): string[] => {
      const o = spec.options[key];
      if (!o) return [];
      const long = `--${o.negate ? "no-" : ""}${flagName(key)}`;
      return o.short ? [`-${o.short}`, long] : [long];
    };
    const flags: Flag[] = [];
    for (const [key, o] of Object.entries(spec.options)) {
      if (o.hidden) continue;
      // Conflicts are declared on one side; the shells need them on both.
      const conflicting = Object.entries(spec.options)
        .filter(([k, other]) => o.conflicts?.includes(k) || other.conflicts?.includes(key))
        .flatMap(([k]) => forms(k));
      const [first, second] = forms(key);
      flags.push({
        long: second ?? first,
        short: second ? first : undefined,
        help: o.help,
        value: o.value ? { name: o.value, complete: o.complete ?? o.choices ?? "none" } : undefined,
        multiple: o.multiple ?? false,
        excludes: conflicting,
      });
    }
    flags.push(HELP_FLAG);
    const args = spec.args.map((a) => ({
      name: a.name,
      complete: a.complete ?? "none",
      required: a.required ?? false,
      variadic: a.variadic ?? false,
    }));
    return { name: spec.name, summary: spec.summary, flags, args };
  });
  out.push({
    name: "help",
    summary: "show the help of a command",
    flags: [],
    args: [{ name: "command", complete: names, required: false, variadic: false }],
  });
  const top: Cmd = {
    name: "",
    summary: "",
    flags: [
      HELP_FLAG,
      {
        long: "--version",
        short: "-V",
        help: "print the name and version",
        multiple: false,
        excludes: [],
      },
    ],
    args: [],
  };
  return { top, commands: out };
}

/** Flags that take a value, in every form: what a scanner must skip the next word for. */
function valueForms(c: Cmd): string[] {
  return c.flags.filter((f) => f.value).flatMap((f) => f.short ? [f.short, f.long] : [f.long]);
}

/** `'text'` for sh-like shells (bash, zsh). */
function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// bash

function bashAction(c: Completion): string {
  if (c === "file") return `_faultscope_files "$cur" -f`;
  if (c === "dir") return `_faultscope_files "$cur" -d`;
  if (c === "none") return "COMPREPLY=()";
  return `_faultscope_words "$cur" ${c.map(shQuote).join(" ")}`;
}

function bashScript(top: Cmd, commands: Cmd[], version: string): string {
  const all = [top, ...commands];
  const key = (c: Cmd, form: string) => shQuote(`${c.name} ${form}`);
  const takes = all.filter((c) => valueForms(c).length).map((c) =>
    `    ${shQuote(c.name)}) case $2 in ${valueForms(c).join("|")}) return 0 ;; esac ;;`
  );
  const values = all.flatMap((c) =>
    c.flags.filter((f) => f.value).map((f) =>
      `    ${[f.short, f.long].filter((x) => x).map((x) => key(c, x!)).join("|")}) ${
        bashAction(f.value!.complete)
      } ;;`
    )
  );
  const options = all.map((c) =>
    `    ${shQuote(c.name)}) _faultscope_words "$cur" ${
      c.flags.flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]).join(" ")
    } ;;`
  );
  const args = commands.filter((c) => c.args.length).map((c) => {
    const cases = c.args.map((a, i) =>
      `        ${a.variadic ? "*" : i}) ${bashAction(a.complete)} ;;`
    );
    return `    ${shQuote(c.name)})\n      case $npos in\n${cases.join("\n")}\n      esac ;;`;
  });
  return `# bash completion for ${PROGRAM} ${version}, generated from its command table by
# \`${PROGRAM} complete bash\`. Plain bash is enough: the bash-completion package is not needed
# (nor disturbed when it is loaded). Loading this again replaces it.
#   source <(${PROGRAM} complete bash)

# Succeeds when option $2 of command $1 ("" before the command) takes a value.
_faultscope_takes_value() {
  case $1 in
${takes.join("\n")}
  esac
  return 1
}

# COMPREPLY: the words after $1 that start with it.
_faultscope_words() {
  local cur=$1 w
  shift
  COMPREPLY=()
  for w; do
    [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
  done
}

# COMPREPLY: the files (-f) or directories (-d) that complete $1, quoted by readline.
_faultscope_files() {
  local f
  COMPREPLY=()
  compopt -o filenames 2>/dev/null
  while IFS= read -r f; do
    COMPREPLY+=("$f")
  done < <(compgen "$2" -- "$1")
}

_faultscope() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd= opt= prefix= dashdash= w
  local -i i=1 end=COMP_CWORD npos=0
  # COMP_WORDBREAKS splits --opt=value into "--opt" "=" "value".
  if [[ $cur == = && \${COMP_WORDS[COMP_CWORD-1]} == --* ]]; then
    opt=\${COMP_WORDS[COMP_CWORD-1]} cur= end=COMP_CWORD-1
  elif ((COMP_CWORD > 1)) && [[ \${COMP_WORDS[COMP_CWORD-1]} == = &&
    \${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
    opt=\${COMP_WORDS[COMP_CWORD-2]} end=COMP_CWORD-2
  elif [[ $cur == --*=* ]]; then # "=" taken out of COMP_WORDBREAKS
    opt=\${cur%%=*} prefix=\${cur%%=*}= cur=\${cur#*=}
  fi
  # Find the command, the number of positional arguments before this word, and whether this
  # word is the value of an option.
  while ((i < end)); do
    w=\${COMP_WORDS[i]}
    if [[ -n $dashdash ]]; then
      npos+=1
    elif [[ $w == -- ]]; then
      dashdash=1
    elif [[ $w == -?* ]]; then
      if [[ $w == --* && \${COMP_WORDS[i+1]-} == = ]]; then
        i+=2 # --opt=value
      elif _faultscope_takes_value "$cmd" "$w"; then
        ((i + 1 == end)) && opt=$w
        i+=1
      fi
    elif [[ -z $cmd ]]; then
      cmd=$w
    else
      npos+=1
    fi
    i+=1
  done
  if [[ -n $opt ]]; then
    case "$cmd $opt" in
${values.join("\n")}
      *) COMPREPLY=() ;;
    esac
  elif [[ -z $dashdash && $cur == -* ]]; then
    case $cmd in
${options.join("\n")}
      *) COMPREPLY=() ;;
    esac
  elif [[ -z $cmd ]]; then
    _faultscope_words "$cur" ${commands.map((c) => c.name).join(" ")}
  else
    case $cmd in
${args.join("\n")}
      *) COMPREPLY=() ;;
    esac
  fi
  if [[ -n $prefix ]]; then
    COMPREPLY=("\${COMPREPLY[@]/#/$prefix}")
  fi
  return 0
}

complete -F _faultscope ${PROGRAM}
`;
}

// ---------------------------------------------------------------------------------------------
// zsh

/** Text inside an `_arguments` description `[...]` or message: brackets and colons escaped. */
function zshText(s: string): string {
  return s.replace(/([\\[\]:])/g, "\\$1");
}

function zshAction(c: Completion): string {
  if (c === "file") return "_files";
  if (c === "dir") return "_files -/";
  if (c === "none") return " ";
  return `(${c.map((v) => v.replace(/([\\()\s'":])/g, "\\$1")).join(" ")})`;
}

function zshSpecs(c: Cmd): string[] {
  const specs: string[] = [];
  for (const f of c.flags) {
    const forms = f.short ? [f.short, f.long] : [f.long];
    const excludes = f === HELP_FLAG || f.long === "--version"
      ? "(- : *)"
      : `(${[...(f.multiple ? [] : forms), ...f.excludes].join(" ")})`;
    const star = f.multiple ? "*" : "";
    for (const form of forms) {
      const attach = f.value ? (form.startsWith("--") ? "=" : "+") : "";
      const value = f.value ? `:${zshText(f.value.name)}:${zshAction(f.value.complete)}` : "";
      specs.push(
        shQuote(
          `${excludes === "()" ? "" : excludes}${star}${form}${attach}[${zshText(f.help)}]${value}`,
        ),
      );
    }
  }
  c.args.forEach((a, i) => {
    const position = a.variadic ? "*" : String(i + 1);
    const optional = a.required ? ":" : "::";
    specs.push(shQuote(`${position}${optional}${zshText(a.name)}:${zshAction(a.complete)}`));
  });
  return specs;
}

function zshScript(top: Cmd, commands: Cmd[], version: string): string {
  // _describe splits each item at its first unescaped colon: only the name needs escaping.
  const described = commands.map((c) =>
    `    ${shQuote(`${c.name.replaceAll(":", "\\:")}:${c.summary}`)}`
  );
  const cases = commands.map((c) =>
    `        (${c.name})\n          _arguments -s -S \\\n${
      zshSpecs(c).map((s) => `            ${s}`).join(" \\\n")
    } && ret=0 ;;`
  );
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM} ${version}, generated from its command table by
# \`${PROGRAM} complete zsh\`. Load it after compinit with
#   source <(${PROGRAM} complete zsh)
# or save it as _${PROGRAM} in a directory of $fpath. Loading it again replaces it.

_faultscope_commands() {
  local -a commands=(
${described.join("\n")}
  )
  _describe -t commands '${PROGRAM} command' commands
}

_faultscope() {
  local curcontext=$curcontext state state_descr line ret=1
  typeset -A opt_args
  _arguments -C -s \\
${zshSpecs(top).map((s) => `    ${s}`).join(" \\\n")} \\
    '1:command:_faultscope_commands' \\
    '*::argument:->argument' && ret=0
  case $state in
    (argument)
      curcontext=\${curcontext%:*:*}:${PROGRAM}-$words[1]:
      case $words[1] in
${cases.join("\n")}
      esac ;;
  esac
  return ret
}

if [[ $funcstack[1] == _faultscope ]]; then
  _faultscope "$@" # autoloaded from $fpath
elif (( $+functions[compdef] )); then
  compdef _faultscope ${PROGRAM}
else
  print -u2 "${PROGRAM}: zsh completion needs compinit first: autoload -Uz compinit && compinit"
fi
`;
}

// ---------------------------------------------------------------------------------------------
// fish

function fishQuote(s: string): string {
  return `'${s.replace(/[\\']/g, "\\$&")}'`;
}

function fishAction(c: Completion): string {
  if (c === "file") return "-r -F";
  if (c === "dir") return "-x -a '(__fish_complete_directories)'";
  if (c === "none") return "-x";
  return `-x -a ${fishQuote(c.join(" "))}`;
}

function fishScript(top: Cmd, commands: Cmd[], version: string): string {
  const all = [top, ...commands];
  const takes = all.flatMap((c) => valueForms(c).map((f) => fishQuote(`${c.name} ${f}`)));
  const lines: string[] = [];
  for (const c of all) {
    const at = `-n ${fishQuote(`__faultscope_at ${shQuote(c.name)}`)}`;
    for (const f of c.flags) {
      const short = f.short ? ` -s ${f.short.slice(1)}` : "";
      const value = f.value ? ` ${fishAction(f.value.complete)}` : "";
      lines.push(
        `complete -c ${PROGRAM} ${at}${short} -l ${f.long.slice(2)}${value} -d ${
          fishQuote(f.help)
        }`,
      );
    }
    c.args.forEach((a, i) => {
      const pos = fishQuote(`__faultscope_at ${shQuote(c.name)} ${i}${a.variadic ? " more" : ""}`);
      const action = a.complete === "file"
        ? "-F"
        : a.complete === "dir"
        ? "-a '(__fish_complete_directories)'"
        : a.complete === "none"
        ? ""
        : `-a ${fishQuote(a.complete.join(" "))}`;
      if (action) lines.push(`complete -c ${PROGRAM} -n ${pos} ${action} -d ${fishQuote(a.name)}`);
    });
  }
  for (const c of commands) {
    lines.push(
      `complete -c ${PROGRAM} -n '__faultscope_at "" 0' -a ${c.name} -d ${fishQuote(c.summary)}`,
    );
  }
  return `# fish completion for ${PROGRAM} ${version}, generated from its command table by
# \`${PROGRAM} complete fish\`. Load it with
#   ${PROGRAM} complete fish | source
# or save it as ~/.config/fish/completions/${PROGRAM}.fish. Loading it again replaces it.

complete -c ${PROGRAM} -e
complete -c ${PROGRAM} -f

# Succeeds when option $argv[2] of command $argv[1] ("" before the command) takes a value.
function __faultscope_takes_value
    switch "$argv[1] $argv[2]"
        case ${takes.join(" ") || "''"}
            return 0
    end
    return 1
end

# Succeeds when the word being completed belongs to command $argv[1] ("" before the command)
# and, with $argv[2], is its positional argument number $argv[2] (or later, with "more"), not
# an option's value.
function __faultscope_at
    set -l words (commandline -opc)
    set -l cmd ''
    set -l npos 0
    set -l value 0
    set -l dashdash 0
    for w in $words[2..-1]
        if test $value = 1
            set value 0
        else if test $dashdash = 1
            set npos (math $npos + 1)
        else if test "$w" = --
            set dashdash 1
        else if string match -q -- '-?*' "$w"
            if not string match -q -- '*=*' "$w"; and __faultscope_takes_value "$cmd" "$w"
                set value 1
            end
        else if test -z "$cmd"
            set cmd $w
        else
            set npos (math $npos + 1)
        end
    end
    test "$cmd" = "$argv[1]"; or return 1
    set -q argv[2]; or return 0
    test $value = 0; or return 1
    if set -q argv[3]
        test $npos -ge $argv[2]
    else
        test $npos -eq $argv[2]
    end
end

${lines.join("\n")}
`;
}

/** The shells a script can be written for. */
export type Shell = "bash" | "zsh" | "fish";

/** The completion script of `shell` for the commands of the table. */
export function completionScript(
  shell: Shell,
  commands: readonly CommandSpec[],
  version = "",
): string {
  const { top, commands: cmds } = model(commands);
  const v = version || "(unversioned)";
  if (shell === "bash") return bashScript(top, cmds, v);
  if (shell === "zsh") return zshScript(top, cmds, v);
  return fishScript(top, cmds, v);
}
