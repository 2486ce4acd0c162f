package mailparse

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// realWorldFloor is the share of testdata/realworld expectations each
// category must meet (issue 18: 95% on real mail).
const realWorldFloor = 0.95

// expectation is what a person reading one mail of testdata/realworld
// says about it (testdata/realworld/expectations.json; "source" cites
// the client or document whose layout the file follows).
type expectation struct {
	File     string `json:"file"`
	Category string `json:"category"` // reply, mime, auto
	Source   string `json:"source"`
	// Text is the exact visible text (nil: not checked; "": nothing new).
	Text     *string  `json:"text"`
	Has      []string `json:"has"`
	HasNot   []string `json:"hasNot"`
	FullHas  []string `json:"fullHas"`
	Kind     string   `json:"kind"`
	From     string   `json:"from"`
	FromName string   `json:"fromName"`
	Subject  string   `json:"subject"`
	Atts     []string `json:"attachments"`
	// Refused: the mail is unreadable and goes to the failed mailbox
	// with a reason containing Reason.
	Refused bool     `json:"refused"`
	Reason  string   `json:"reason"`
	OrigID  string   `json:"origID"`
	Failed  []string `json:"failed"`
}

// check returns what in the report differs from the expectation.
func (e expectation) check(raw []byte) []string {
	r, err := Inspect(raw, InspectOptions{Parse: Options{DeskAddress: "soporte@example.com"}})
	if e.Refused {
		if err == nil {
			return []string{"parsed, want refused"}
		}
		if !strings.Contains(err.Error(), e.Reason) {
			return []string{fmt.Sprintf("refused with %q, want a reason with %q", err, e.Reason)}
		}
		return nil
	}
	if err != nil {
		return []string{"refused: " + err.Error()}
	}
	in, _ := Parse(raw)
	var bad []string
	if e.Text != nil && r.VisibleText != *e.Text {
		bad = append(bad, fmt.Sprintf("visible text\n  got %q\n want %q", r.VisibleText, *e.Text))
	}
	for _, s := range e.Has {
		if !strings.Contains(r.VisibleText, s) {
			bad = append(bad, fmt.Sprintf("visible text %q lacks %q", r.VisibleText, s))
		}
	}
	for _, s := range e.HasNot {
		if strings.Contains(r.VisibleText, s) {
			bad = append(bad, fmt.Sprintf("visible text %q has %q", r.VisibleText, s))
		}
	}
	for _, s := range e.FullHas {
		if !strings.Contains(in.FullText, s) {
			bad = append(bad, fmt.Sprintf("full text %q lacks %q", in.FullText, s))
		}
	}
	if e.Kind != "" && string(r.Kind) != e.Kind {
		bad = append(bad, fmt.Sprintf("kind %q, want %q", r.Kind, e.Kind))
	}
	if e.From != "" && r.From.Email != e.From {
		bad = append(bad, fmt.Sprintf("from %q, want %q", r.From.Email, e.From))
	}
	if e.FromName != "" && r.From.Name != e.FromName {
		bad = append(bad, fmt.Sprintf("from name %q, want %q", r.From.Name, e.FromName))
	}
	if e.Subject != "" && r.Subject != e.Subject {
		bad = append(bad, fmt.Sprintf("subject %q, want %q", r.Subject, e.Subject))
	}
	if e.Atts != nil {
		var names []string
		for _, a := range r.Attachments {
			names = append(names, a.Name)
		}
		if !slices.Equal(names, e.Atts) {
			bad = append(bad, fmt.Sprintf("attachments %q, want %q", names, e.Atts))
		}
	}
	if e.OrigID != "" && r.OriginalMessageID != e.OrigID {
		bad = append(bad, fmt.Sprintf("original message id %q, want %q", r.OriginalMessageID, e.OrigID))
	}
	if e.Failed != nil {
		var got []string
		for _, f := range r.FailedRecipients {
			got = append(got, f.Email)
		}
		if !slices.Equal(got, e.Failed) {
			bad = append(bad, fmt.Sprintf("failed recipients %q, want %q", got, e.Failed))
		}
	}
	return bad
}

func loadRealWorld(t testing.TB) []expectation {
	t.Helper()
	b, err := os.ReadFile("testdata/realworld/expectations.json")
	if err != nil {
		t.Fatal(err)
	}
	var exps []expectation
	if err := json.Unmarshal(b, &exps); err != nil {
		t.Fatal(err)
	}
	return exps
}

// TestRealWorldCorpus runs every mail of testdata/realworld through the
// parser, prints the accuracy per category (reply text, MIME, automatic
// mail kind) and fails below realWorldFloor. Each mismatch is logged.
func TestRealWorldCorpus(t *testing.T) {
	exps := loadRealWorld(t)
	files, _ := filepath.Glob("testdata/realworld/*.eml")
	described := map[string]bool{}
	pass, total := map[string]int{}, map[string]int{}
	for _, e := range exps {
		described[e.File] = true
		if e.Source == "" {
			t.Errorf("%s: no source cited", e.File)
		}
		raw, err := os.ReadFile(filepath.Join("testdata/realworld", e.File))
		if err != nil {
			t.Fatal(err)
		}
		total[e.Category]++
		if bad := e.check(raw); len(bad) > 0 {
			t.Logf("MISS %s [%s]: %s", e.File, e.Category, strings.Join(bad, "; "))
			continue
		}
		pass[e.Category]++
	}
	for _, f := range files {
		if !described[filepath.Base(f)] {
			t.Errorf("%s has no expectations", filepath.Base(f))
		}
	}
	cats := make([]string, 0, len(total))
	for c := range total {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		acc := float64(pass[c]) / float64(total[c])
		fmt.Printf("real-world corpus: %-5s %3d/%3d = %5.1f%%\n", c, pass[c], total[c], 100*acc)
		if acc < realWorldFloor {
			t.Errorf("category %s: %.1f%% below the %.0f%% floor", c, 100*acc, 100*realWorldFloor)
		}
	}
	for _, c := range []string{"reply", "mime", "auto"} {
		if total[c] == 0 {
			t.Errorf("no %s mails in the corpus", c)
		}
	}
}
