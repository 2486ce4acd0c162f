package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

// exampleQueuesBlock is config.example.toml's commented [[queues]]
// example, uncommented.
func exampleQueuesBlock(t *testing.T) (commented, uncommented string) {
	t.Helper()
	data, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start, end := strings.Index(text, "# --- queues example ---\n"), strings.Index(text, "# --- end of queues example ---\n")
	if start < 0 || end < start {
		t.Fatal("config.example.toml lacks the queues example markers")
	}
	commented = text[start:end]
	var b strings.Builder
	for _, line := range strings.SplitAfter(commented, "\n")[1:] {
		b.WriteString(strings.TrimPrefix(line, "# "))
	}
	return commented, b.String()
}

// The documented [[queues]] example, uncommented, loads, and check-config
// prints every queue.
func TestExampleConfigQueues(t *testing.T) {
	commented, block := exampleQueuesBlock(t)
	cfg, err := exampleWith(t, commented, block+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Queues) != 1 {
		t.Fatalf("%d queues", len(cfg.Queues))
	}
	q := cfg.Queues[0]
	if q.Name != "ventas" || q.Desk.Email != "ventas@example.com" || q.Desk.Name != "Ventas" ||
		strings.Join(q.Aliases, ",") != "comercial@example.com" || q.Tag != "Ventas" || q.Language != "en" || q.Mailbox != "Ventas" {
		t.Fatalf("queue %+v", q)
	}
	if t2, ok := q.Policy.Tier(2); !ok || t2.Agents[0] != "victor@example.com" || t2.Resolution != 48*time.Hour || !t2.BusinessHours {
		t.Fatalf("queue tier 2 %+v (business hours follow [calendar])", t2)
	}
	if q.Policy.IsAgent("ana@example.com") || !cfg.Policy.IsAgent("ana@example.com") {
		t.Fatal("agents are per queue")
	}
	if cfg.QueueName != "soporte" || !strings.Contains(strings.Join(cfg.IMAP.QueueAddresses, ","), "comercial@example.com") {
		t.Fatalf("default queue %q, own addresses %v", cfg.QueueName, cfg.IMAP.QueueAddresses)
	}
	sum := cfg.Summary()
	for _, want := range []string{"queue soporte:  (default) Mesa de ayuda <soporte@example.com>", "queue ventas:  Ventas <ventas@example.com>, comercial@example.com, token [Ventas #N]",
		`mailbox "Ventas"`, "ventas tier 2: Ventas - jefatura — 1 agent(s): victor@example.com"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	// The desk starts with both queues.
	if n := len(newService(t, cfg).Queues()); n != 2 {
		t.Fatalf("%d queues in the service", n)
	}
	// The queue's mailbox gets a poller of its own.
	opts := deskPollers(cfg, nil, nil, Deps{}.withDefaults(), newMetrics(nil, cfg))
	if len(opts) != 2 || opts[0].Mailbox != "INBOX" || opts[1].Mailbox != "Ventas" || opts[1].Username != opts[0].Username || !opts[1].CreateMailbox || opts[0].CreateMailbox {
		t.Fatalf("pollers %+v", opts)
	}
}

// An old config, without [[queues]], is today's desk: one queue, the same
// summary as before queues.
func TestOldConfigIsOneQueue(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	p := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(p, []byte(minimal), 0o600)
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Queues) != 0 || len(cfg.Aliases) != 0 || cfg.QueueName != "soporte" || len(cfg.IMAP.QueueAddresses) != 0 {
		t.Fatalf("queues %v aliases %v name %q", cfg.Queues, cfg.Aliases, cfg.QueueName)
	}
	if sum := cfg.Summary(); strings.Contains(sum, "queue ") {
		t.Fatalf("a one-queue desk's summary talks of queues:\n%s", sum)
	}
	svc := newService(t, cfg)
	if qs := svc.Queues(); len(qs) != 1 || qs[0].Desk.Email != "soporte@example.com" || qs[0].Tag != "Soporte" {
		t.Fatalf("queues %+v", qs)
	}
	if _, err := exampleWith(t, "data_dir", "data_dir"); err != nil {
		t.Fatalf("config.example.toml as shipped (queues commented out): %v", err)
	}
}

func TestQueueConfigProblems(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	queue := `
[[queues]]
name = "ventas"
addresses = ["ventas@example.com", "comercial@example.com"]
tag = "Ventas"
[[queues.tiers]]
level = 1
name = "V1"
agents = ["vera@example.com"]
first_response = "1h"
resolution = "8h"
`
	load := func(text string) error {
		p := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(p, []byte(text), 0o600)
		_, err := LoadConfig(p)
		return err
	}
	if err := load(minimal + queue); err != nil {
		t.Fatalf("a valid queue: %v", err)
	}
	for _, c := range []struct {
		name, from, to string
		want           []string
	}{
		{"same name as the default", `name = "ventas"`, `name = "Soporte"`, []string{`queues[0].name: queue name "soporte" is already support.queue's`}},
		{"name with a space", `name = "ventas"`, `name = "las ventas"`, []string{"queues[0].name"}},
		{"support address again", `"comercial@example.com"`, `"Soporte@example.com"`, []string{`queues[0].addresses[1]: address "soporte@example.com" is already support.address's`}},
		{"no address", `addresses = ["ventas@example.com", "comercial@example.com"]`, `addresses = []`, []string{"queues[0].addresses: at least one"}},
		{"bad address", `"comercial@example.com"`, `"comercial"`, []string{`queues[0].addresses[1]: "comercial" is not an email address`}},
		{"same tag", `tag = "Ventas"`, `tag = "soporte"`, []string{`queues[0].tag: tag "soporte" is already support.tag's`}},
		{"bad tag", `tag = "Ventas"`, `tag = "[V]"`, []string{"queues[0].tag"}},
		{"bad language", `tag = "Ventas"`, "tag = \"Ventas\"\nlanguage = \"fr\"", []string{`queues[0].language: "fr"`}},
		{"no tiers", `[[queues.tiers]]`, `[queues.x]`, []string{"queues[0].tiers: at least one"}},
		{"bad tier", `first_response = "1h"`, `first_response = "soon"`, []string{`queues[0].tiers[0].first_response: "soon"`}},
		{"queue address is an agent", `agents = ["vera@example.com"]`, `agents = ["comercial@example.com"]`, []string{"support address comercial@example.com cannot also be an agent"}},
		{"queue address is the default's agent", `"comercial@example.com"`, `"ana@example.com"`, []string{"support address ana@example.com cannot also be an agent (of queue soporte)"}},
		{"mailbox is the processed one", `tag = "Ventas"`, "tag = \"Ventas\"\nmailbox = \"Procesados\"", []string{`queues[0].mailbox: "Procesados"`}},
		{"unknown key", `tag = "Ventas"`, "tag = \"Ventas\"\ncolour = \"red\"", []string{"queues.colour: unknown key"}},
	} {
		if !strings.Contains(queue, c.from) {
			t.Fatalf("%s: fixture lacks %q", c.name, c.from)
		}
		err := load(minimal + strings.Replace(queue, c.from, c.to, 1))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error does not mention %q:\n%v", c.name, w, err)
			}
		}
	}
	// An alias of the default queue that another queue claims.
	err := load(strings.Replace(minimal, `address = "soporte@example.com"`, "address = \"soporte@example.com\"\naliases = [\"comercial@example.com\"]", 1) + queue)
	if err == nil || !strings.Contains(err.Error(), `queues[0].addresses[1]: address "comercial@example.com" is already support.aliases[0]'s`) {
		t.Fatalf("alias clash: %v", err)
	}
}

// newService opens a desk's workflow over cfg, on a temporary store.
func newService(t *testing.T, cfg *Config) *tickets.Service {
	t.Helper()
	store, err := tickets.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tmpl, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Options
	o.Templates = tmpl
	svc, err := tickets.NewService(store, o)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
