package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bashComplete sources the bash completion script and calls its function
// for the command line words (the last one being completed), as bash does
// on TAB; it returns the candidates.
func bashComplete(t *testing.T, script, dir string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
	}
	prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_ticketd\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\n%s", words, err, out)
	}
	return strings.Fields(string(out))
}

// TestBashCompletion runs bash with the script "ticketd completion bash"
// prints: it completes the subcommands, each command's flags, file names
// for --config, command names after help and shells after completion.
func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is not installed")
	}
	dir := t.TempDir()
	out, _, err := cli(t, "completion", "bash")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "ticketd.bash")
	if err := os.WriteFile(script, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "desk.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	all := bashComplete(t, script, dir, "ticketd", "")
	if len(all) != len(commands) {
		t.Errorf("ticketd <TAB>: %q, want the %d commands", all, len(commands))
	}
	for _, c := range []struct {
		words []string
		want  []string
	}{
		{[]string{"ticketd", "ch"}, []string{"check-config"}},
		{[]string{"ticketd", "co"}, []string{"completion"}},
		{[]string{"ticketd", "list", "--st"}, []string{"--status"}},
		{[]string{"ticketd", "outbox", "--"}, []string{"--config", "--retry", "--json"}},
		{[]string{"ticketd", "check-config", "--config", "des"}, []string{"desk.toml"}},
		{[]string{"ticketd", "help", "ba"}, []string{"backup"}},
		{[]string{"ticketd", "completion", ""}, []string{"bash", "zsh", "fish"}},
	} {
		got := bashComplete(t, script, dir, c.words...)
		for _, w := range c.want {
			if !contains(got, w) {
				t.Errorf("%q <TAB>: %q, want %q among them", c.words, got, w)
			}
		}
		if len(c.want) == 1 && len(got) != 1 {
			t.Errorf("%q <TAB>: %q, want only %q", c.words, got, c.want[0])
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestZshAndFishCompletionParse: the zsh and fish scripts are valid for
// their shell, and fish (which can be asked directly) completes the
// commands and flags. Skipped where a shell is not installed (CI does not
// install them: bash is the tested one).
func TestZshAndFishCompletionParse(t *testing.T) {
	dir := t.TempDir()
	for _, shell := range []string{"zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(shell); err != nil {
				t.Skipf("%s is not installed (apt-get install %s)", shell, shell)
			}
			out, _, err := cli(t, "completion", shell)
			if err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "ticketd."+shell)
			os.WriteFile(script, []byte(out), 0o644)
			if msg, err := exec.Command(shell, "-n", script).CombinedOutput(); err != nil {
				t.Fatalf("%s -n: %v\n%s", shell, err, msg)
			}
			if shell != "fish" {
				return
			}
			msg, err := exec.Command("fish", "--no-config", "-c", "source "+script+"; complete -C 'ticketd ch'; complete -C 'ticketd list --st'").CombinedOutput()
			if err != nil || !strings.Contains(string(msg), "check-config") || !strings.Contains(string(msg), "--status") {
				t.Fatalf("fish completion: %v\n%s", err, msg)
			}
		})
	}
	if _, _, err := cli(t, "completion", "tcsh"); err == nil {
		t.Error("completion tcsh: no error")
	}
}
