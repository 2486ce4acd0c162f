package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"

	"github.com/ticketd/ticketd/cmd/ticketd/sandbox"
)

type devOptions struct {
	dataDir, imapAddr, smtpAddr string
	// config is the admin's own file to try ("dev --config FILE"); ""
	// uses the built-in two-tier desk.
	config string
}

const devPassword = sandbox.DefaultPassword

// devConfig is parsed by the one command that writes it, not at every
// command's start.
var devConfig = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("dev").Parse(devConfigText))
})

const devConfigText = `# Written by "ticketd dev": a desk wired to the in-process sandbox.
data_dir = "{{.DataDir}}"
language = "es"
log_level = "info"

[support]
address = "soporte@ticketd.test"
name = "Mesa de ayuda (dev)"
tag = "Soporte"

[imap]
address = "{{.IMAP}}"
security = "none"
password_file = "{{.PasswordFile}}"
poll_interval = "5s"

[smtp]
address = "{{.SMTP}}"
security = "none"

[[tiers]]
level = 1
name = "Nivel 1 - Mesa de ayuda"
agents = ["ana@ticketd.test"]
first_response = "30m"
resolution = "8h"

[[tiers]]
level = 2
name = "Nivel 2 - Soporte técnico"
agents = ["marta@ticketd.test"]
first_response = "2h"
resolution = "24h"
`

const devHelp = `
ticketd dev is running: a mail sandbox and a help desk, on this machine only.

  SMTP (send mail):  {{.SMTP}}   any address is accepted, no TLS, no login
  IMAP (read mail):  {{.IMAP}}   log in as ANY address with password "{{.Password}}", no TLS
  support address:   {{.Desk}}
{{.Tiers}}  config:            {{.Config}}
  data:              {{.DataDir}}

Try it:
  1. Write to the desk as a requester (swaks is in most distributions):
       swaks --server {{.SMTP}} --from pedro@ticketd.test --to {{.Desk}} \
             --header "Subject: No puedo imprimir" --body "La impresora del piso 3 no responde."
  2. Read the acknowledgement in pedro@ticketd.test's INBOX, and the notification in
     {{.Agent}}'s, with any mail client (Thunderbird: IMAP {{.IMAP}}, SMTP {{.SMTP}},
     no encryption, password "{{.Password}}").
  3. Answer as the agent by replying to the notification from {{.Agent}}, or:
       swaks --server {{.SMTP}} --from {{.Agent}} --to {{.Desk}} \
             --header "Subject: Re: [{{.Tag}} #1] No puedo imprimir" --body "Ya la reiniciamos."
     pedro@ticketd.test receives the answer from the desk, without the agent's address.
  4. See the tickets:  go run ./cmd/ticketd list --config {{.Config}}
                       go run ./cmd/ticketd show 1 --config {{.Config}}

Press Ctrl-C to stop.
`

func runDev(ctx context.Context, o devOptions, stdout, stderr io.Writer) error {
	box, err := sandbox.Start(sandbox.Options{IMAPAddr: o.imapAddr, SMTPAddr: o.smtpAddr, Password: devPassword})
	if err != nil {
		return fmt.Errorf("dev: start the mail sandbox: %w", err)
	}
	defer box.Close()
	dir := o.dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "ticketd-dev-"); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		// A sandbox leaves nothing behind unless asked to (--data).
		defer os.RemoveAll(dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	vars := map[string]string{
		"DataDir":      filepath.Join(dir, "data"),
		"IMAP":         box.IMAPAddr(),
		"SMTP":         box.SMTPAddr(),
		"Password":     devPassword,
		"PasswordFile": filepath.Join(dir, "imap-password"),
		"Config":       filepath.Join(dir, "ticketd.toml"),
	}
	if err := os.WriteFile(vars["PasswordFile"], []byte(devPassword+"\n"), 0o600); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	if o.config != "" {
		err = devFromConfig(o.config, vars["Config"], vars["DataDir"], vars["IMAP"], vars["SMTP"], vars["PasswordFile"])
	} else {
		err = writeDevConfig(vars)
	}
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	cfg, err := LoadConfig(vars["Config"])
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	vars["Desk"], vars["Tag"] = cfg.Desk.Email, cfg.Tag
	var tiersHelp strings.Builder
	for _, tier := range cfg.Policy.Tiers() {
		fmt.Fprintf(&tiersHelp, "  tier %d agents:     %s", tier.Level, strings.Join(tier.Agents, ", "))
		if tier.Vendor {
			tiersHelp.WriteString(" (vendor)")
		}
		fmt.Fprintf(&tiersHelp, "   targets %s / %s\n", tier.FirstResponse, tier.Resolution)
		if vars["Agent"] == "" {
			vars["Agent"] = tier.Agents[0]
		}
	}
	if len(cfg.Managers) > 0 {
		fmt.Fprintf(&tiersHelp, "  managers:          %s\n", strings.Join(cfg.Managers, ", "))
	}
	vars["Tiers"] = tiersHelp.String()
	if err := template.Must(template.New("help").Parse(devHelp)).Execute(stdout, vars); err != nil {
		return err
	}
	return Run(ctx, cfg, Deps{Logger: configLogger(stderr, cfg)})
}

// writeDevConfig writes the built-in sandbox desk's config.
func writeDevConfig(vars map[string]string) error {
	f, err := os.OpenFile(vars["Config"], os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = devConfig().Execute(f, vars)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}
