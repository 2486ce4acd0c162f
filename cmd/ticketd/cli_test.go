package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func cli(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = runCLI(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// TestEveryCommandHasHelp: "ticketd help CMD" works for every command and
// names each of its flags, and the overview lists every command.
func TestEveryCommandHasHelp(t *testing.T) {
	overview, _, err := cli(t, "help")
	if err != nil {
		t.Fatalf("help: %v", err)
	}
	for _, cmd := range commands {
		t.Run(cmd.name, func(t *testing.T) {
			if cmd.summary == "" || strings.TrimSpace(cmd.help) == "" || cmd.setup == nil {
				t.Fatal("no summary, help or run function")
			}
			if !strings.Contains(overview, "\n  "+cmd.name+" ") {
				t.Errorf("the overview does not list it:\n%s", overview)
			}
			out, errOut, err := cli(t, "help", cmd.name)
			if err != nil || errOut != "" {
				t.Fatalf("help %s: %v %s", cmd.name, err, errOut)
			}
			if !strings.HasPrefix(out, "Usage: ticketd "+cmd.name) || !strings.Contains(out, strings.TrimSpace(cmd.help)) {
				t.Errorf("help %s does not start with its usage or lacks its help:\n%s", cmd.name, out)
			}
			fs, _, _ := cmd.flags()
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(out, "\n  -"+f.Name+" ") && !strings.Contains(out, "\n  -"+f.Name+"\n") {
					t.Errorf("help %s does not describe -%s:\n%s", cmd.name, f.Name, out)
				}
				if f.Name != "config" && !strings.Contains(out, "[--"+f.Name) {
					t.Errorf("help %s: the usage line lacks --%s:\n%s", cmd.name, f.Name, out)
				}
			})
		})
	}
}

func TestHelpOfTheFlagsThatMatter(t *testing.T) {
	for cmd, want := range map[string][]string{
		"list":         {"-status STATUS", "-tier N", "-limit N", "-json", "-config FILE", "(default 50)"},
		"once":         {"-import"},
		"check-config": {"-connect"},
		"outbox":       {"-retry ID", "-json"},
		"digest":       {"-dry-run"},
		"dev":          {"-data DIRECTORY", "-imap ADDRESS", "-smtp ADDRESS", "$TICKETD_CONFIG is not used"},
	} {
		out, _, err := cli(t, "help", cmd)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("help %s lacks %q:\n%s", cmd, w, out)
			}
		}
	}
	if out, _, _ := cli(t, "help", "version"); strings.Contains(out, "Flags:") {
		t.Errorf("version has no flags, yet:\n%s", out)
	}
}

func TestCommandLineMistakes(t *testing.T) {
	t.Setenv("TICKETD_CONFIG", "")
	tests := []struct {
		args    []string
		wantErr string // in stderr
	}{
		{nil, "Commands:"},
		{[]string{"nope"}, `unknown command "nope"`},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"show"}, "usage: ticketd show N"},
		{[]string{"show", "1", "2"}, "usage: ticketd show N"},
		{[]string{"backup"}, "usage: ticketd backup FILE"},
		{[]string{"kb"}, "usage: ticketd kb list|show N|search WORDS"},
		{[]string{"inspect"}, "usage: ticketd inspect FILE.eml"},
		{[]string{"stats", "extra"}, `ticketd stats: unexpected argument "extra"`},
		{[]string{"list"}, "ticketd list: --config FILE (or TICKETD_CONFIG) is required"},
		{[]string{"show", "12"}, "ticketd show: --config FILE (or TICKETD_CONFIG) is required"},
		{[]string{"list", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"version", "--config", "x"}, "flag provided but not defined: -config"},
	}
	for _, tt := range tests {
		_, errOut, err := cli(t, tt.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("ticketd %q: err %v, stderr %q; want a usage error with %q", tt.args, err, errOut, tt.wantErr)
		}
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	// "show 12 --config F" as well as "show --config F 12": the config
	// is read (and found missing) either way, after the argument count.
	for _, args := range [][]string{{"show", "12", "--config", "/nonexistent/t.toml"}, {"show", "--config", "/nonexistent/t.toml", "12"}} {
		_, _, err := cli(t, args...)
		if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "/nonexistent/t.toml") {
			t.Errorf("ticketd %q: %v, want an error reading the config", args, err)
		}
	}
	out, _, err := cli(t, "version")
	if err != nil || !strings.HasPrefix(out, "ticketd ") {
		t.Errorf("version: %q %v", out, err)
	}
	for _, h := range []string{"-h", "--help"} {
		if out, _, err := cli(t, h); err != nil || !strings.Contains(out, "Commands:") {
			t.Errorf("ticketd %s: %v\n%s", h, err, out)
		}
	}
	if _, errOut, err := cli(t, "list", "-h"); err != nil || !strings.Contains(errOut, "-status") {
		t.Errorf("list -h: %v\n%s", err, errOut)
	}
}
