package templates

import (
	"io/fs"
	"strings"
	"testing"
)

// TestOldPhrasesOverrideStillLoads: a phrases.txt override written before
// the ticket types existed lacks their words and phrases; it still loads,
// those come from the embedded file, and its own words win.
func TestOldPhrasesOverrideStillLoads(t *testing.T) {
	base, err := fs.ReadFile(mailFS(), "es/phrases.txt")
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(base), "\n") {
		if strings.Contains(l, `"type_`) || strings.Contains(l, `"problem_type"`) || strings.Contains(l, `"problem_category"`) {
			continue
		}
		kept = append(kept, strings.Replace(l, "orden desconocida", "orden que no conocemos", 1))
	}
	dir := t.TempDir()
	writeFile(t, dir, "es/phrases.txt", strings.Join(kept, "\n"))
	s := mustNew(t, dir)
	if got, _ := s.Phrase("es", "problem_unknown", Phrase{}); got != "orden que no conocemos" {
		t.Errorf("the override's own phrase: %q", got)
	}
	if got, err := s.Phrase("es", "problem_type", Phrase{}); err != nil || got != "necesita un tipo: incidente o solicitud" {
		t.Errorf("a phrase the override lacks: %q, %v", got, err)
	}
	d := sample()
	d.Type = "request"
	r, err := s.Render("es", AgentNew, d)
	if err != nil || !strings.Contains(r.Text, "Tipo:   solicitud") {
		t.Errorf("agent notice with an old override: %v\n%s", err, r.Text)
	}
}
