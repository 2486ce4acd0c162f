package main

import (
	"fmt"
	"io"
	"strings"
)

// completionShells are the shells "ticketd completion" writes for.
var completionShells = []string{"bash", "zsh", "fish"}

// writeCompletion writes the completion script for shell, made from the
// command table: the commands, each command's flags, file names where a
// flag or argument takes a file, command names after help, shells after
// completion.
func writeCompletion(w io.Writer, shell string) error {
	switch shell {
	case "bash":
		writeBashCompletion(w)
	case "zsh":
		writeZshCompletion(w)
	case "fish":
		writeFishCompletion(w)
	default:
		return fmt.Errorf("no completion for shell %q: one of %s", shell, strings.Join(completionShells, ", "))
	}
	return nil
}

// takesPath says whether a flag's value or an argument is a file name.
func takesPath(arg string) bool {
	a := strings.ToLower(arg)
	return strings.HasPrefix(a, "file") || a == "directory"
}

// commandList lists the table's command names, space separated.
func commandList() string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return strings.Join(names, " ")
}

// argWords are the words a command's argument is one of, space
// separated, and what they are: command names after help, shells after
// completion; "" when its arguments are free.
func argWords(c *command) (words, what string) {
	switch c.name {
	case "help":
		return commandList(), "command"
	case "completion":
		return strings.Join(completionShells, " "), "shell"
	}
	return "", ""
}

func writeBashCompletion(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# bash completion for ticketd (made by \"ticketd completion bash\")\n")
	p("_ticketd() {\n")
	p("\tlocal cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	p("\tlocal commands=%q\n", commandList())
	p("\tCOMPREPLY=()\n")
	p("\tif [[ $COMP_CWORD -eq 1 ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n\t\treturn\n\tfi\n")
	// A flag that takes a file: complete file names.
	var pathFlags []string
	seen := map[string]bool{}
	for _, c := range commands {
		for _, f := range c.flagDocs() {
			if takesPath(f.arg) && !seen[f.name] {
				seen[f.name] = true
				pathFlags = append(pathFlags, "-"+f.name, "--"+f.name)
			}
		}
	}
	if len(pathFlags) > 0 {
		p("\tcase \"$prev\" in\n\t%s)\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\t\treturn\n\t\t;;\n\tesac\n", strings.Join(pathFlags, "|"))
	}
	p("\tlocal flags=\"\" words=\"\"\n")
	p("\tcase \"${COMP_WORDS[1]}\" in\n")
	for _, c := range commands {
		var flags []string
		for _, f := range c.flagDocs() {
			flags = append(flags, "--"+f.name)
		}
		p("\t%s)\n\t\tflags=%q\n", c.name, strings.Join(flags, " "))
		if words, _ := argWords(c); words != "" {
			p("\t\twords=%q\n", words)
		}
		p("\t\t;;\n")
	}
	p("\tesac\n")
	p("\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n")
	p("\telif [[ -n $words ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n")
	p("}\ncomplete -F _ticketd ticketd\n")
}

// zshQuote escapes text for a single-quoted _arguments/_describe spec.
func zshQuote(s string) string {
	return strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}

func writeZshCompletion(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("#compdef ticketd\n# zsh completion for ticketd (made by \"ticketd completion zsh\")\n\n")
	p("_ticketd() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, c := range commands {
		p("\t\t'%s:%s'\n", c.name, zshQuote(c.summary))
	}
	p("\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe -t commands 'ticketd command' commands\n\t\treturn\n\tfi\n")
	p("\tlocal cmd=${words[2]}\n\tshift words\n\t(( CURRENT-- ))\n\tcase $cmd in\n")
	for _, c := range commands {
		p("\t%s)\n\t\t_arguments", c.name)
		for _, f := range c.flagDocs() {
			spec := "--" + f.name + "[" + zshQuote(f.usage) + "]"
			if f.arg != "" {
				action := " "
				if takesPath(f.arg) {
					action = "_files"
				}
				spec += ":" + zshQuote(f.arg) + ":" + action
			}
			p(" \\\n\t\t\t'%s'", spec)
		}
		switch words, what := argWords(c); {
		case words != "":
			p(" \\\n\t\t\t'1:%s:(%s)'", what, words)
		case c.maxArgs != 0:
			p(" \\\n\t\t\t'*:argument:_files'")
		}
		p("\n\t\t;;\n")
	}
	p("\tesac\n}\n\n")
	p("if [[ $funcstack[1] == _ticketd ]]; then\n\t_ticketd \"$@\"\nelse\n\tcompdef _ticketd ticketd\nfi\n")
}

// fishQuote is s in fish single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFishCompletion(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# fish completion for ticketd (made by \"ticketd completion fish\")\n")
	p("complete -c ticketd -f\n")
	for _, c := range commands {
		p("complete -c ticketd -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range commands {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flagDocs() {
			opts := ""
			if f.arg != "" {
				opts = " -r"
				if takesPath(f.arg) {
					opts += " -F"
				}
			}
			p("complete -c ticketd -n %s -l %s%s -d %s\n", cond, f.name, opts, fishQuote(f.usage))
		}
		switch words, _ := argWords(c); {
		case words != "":
			p("complete -c ticketd -n %s -a %s\n", cond, fishQuote(words))
		case c.maxArgs != 0 && takesPath(c.args):
			p("complete -c ticketd -n %s -F\n", cond)
		}
	}
}
