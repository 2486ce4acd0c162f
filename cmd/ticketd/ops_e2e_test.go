package main

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// generatedByPrometheus are series Prometheus adds to every scrape
// itself; ticketd cannot export them.
var generatedByPrometheus = map[string]bool{"up": true}

// metricName matches the metric names the rules and the dashboard use:
// ticketd's own and the Go client's runtime and process collectors.
var metricName = regexp.MustCompile(`\b(?:ticketd|go|process)_[a-z0-9_]+\b|\bup\b`)

// ruleExprs returns the expr values of a Prometheus rules file: one-line
// values and "|" blocks.
func ruleExprs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		key, value, ok := strings.Cut(strings.TrimSpace(lines[i]), "expr:")
		if !ok || key != "" {
			continue
		}
		value = strings.TrimSpace(value)
		if value != "|" {
			exprs = append(exprs, value)
			continue
		}
		indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
		var block []string
		for i+1 < len(lines) && (strings.TrimSpace(lines[i+1]) == "" || len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > indent) {
			i++
			block = append(block, lines[i])
		}
		exprs = append(exprs, strings.Join(block, "\n"))
	}
	return exprs
}

// dashboardExprs returns the expr of every target of every panel, and the
// queries of the template variables.
func dashboardExprs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var exprs []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	return exprs
}

// scrapedNames returns the metric names in a Prometheus text exposition.
func scrapedNames(body string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}

// TestAlertRulesAndDashboardUseRealMetrics scrapes a running daemon (the
// real binary, real Dovecot, one mail applied and acknowledged) and checks
// that every metric the alert rules and the Grafana dashboard use is one
// it exports: a renamed metric would otherwise leave an alert that can
// never fire.
func TestAlertRulesAndDashboardUseRealMetrics(t *testing.T) {
	exprs := append(ruleExprs(t, "../../dist/prometheus/ticketd-alerts.yml"), dashboardExprs(t, "../../dist/grafana/ticketd-dashboard.json")...)
	used := map[string]bool{}
	for _, e := range exprs {
		for _, name := range metricName.FindAllString(e, -1) {
			used[name] = true
		}
	}
	if len(exprs) < 20 || len(used) < 15 {
		t.Fatalf("found %d expressions using %d metrics: the files were not read as expected", len(exprs), len(used))
	}

	e := newE2E(t)
	addr := freeAddr(t)
	data, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.config, append(data, "[admin]\nlisten = \""+addr+"\"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	e.deliver("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: La impresora\nMessage-ID: <ops1@cliente.test>\n\nNo imprime.\n")
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	waitMail(t, e.smtp, requester, "La impresora", 30*time.Second)

	var body string
	deadline := time.Now().Add(20 * time.Second)
	for {
		// The sent counter is bumped once the SMTP transaction is
		// recorded, just after the sink saw the mail.
		code, b := httpGet(t, "http://"+addr+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("/metrics: %d", code)
		}
		body = b
		if strings.Contains(body, "ticketd_mails_sent_total{") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)

	exported := scrapedNames(body)
	var missing []string
	for name := range used {
		if !exported[name] && !generatedByPrometheus[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("the rules or the dashboard use metrics ticketd does not export: %v\nscrape:\n%s", missing, body)
	}
	t.Logf("%d expressions, %d metrics, all exported", len(exprs), len(used))
}
