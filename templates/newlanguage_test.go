package templates

import (
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestThirdLanguageIsOneFolder: a template tree with one more folder
// (here "fr": the English files with some French words) has a third
// language, with its own reply line and words, and no code changes; a
// folder that lacks a template is refused, naming the file.
func TestThirdLanguageIsOneFolder(t *testing.T) {
	base := fstest.MapFS{}
	err := fs.WalkDir(mailFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(mailFS(), p)
		if err != nil {
			return err
		}
		base[p] = &fstest.MapFile{Data: b}
		if rest, ok := strings.CutPrefix(p, "en/"); ok {
			fr := bytes.ReplaceAll(b, []byte("## Please reply above this line ##"), []byte("## Répondez au-dessus de cette ligne ##"))
			fr = bytes.ReplaceAll(fr, []byte("We received your request"), []byte("Nous avons reçu votre demande"))
			fr = bytes.ReplaceAll(fr, []byte(`{{define "status_new"}}new{{end}}`), []byte(`{{define "status_new"}}nouveau{{end}}`))
			if rest == stopWordsFile {
				fr = []byte(frenchStopWords)
			}
			base["fr/"+rest] = &fstest.MapFile{Data: fr}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSet(base, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Languages(); !slices.Equal(got, []Language{"en", "es", "fr", "pt"}) {
		t.Fatalf("languages %v", got)
	}
	r, err := s.Render("fr", Ack, sample())
	if err != nil {
		t.Fatal(err)
	}
	if s.ReplyLine("fr") != "## Répondez au-dessus de cette ligne ##" || !strings.HasPrefix(r.Text, s.ReplyLine("fr")+"\n") {
		t.Errorf("reply line %q; text:\n%s", s.ReplyLine("fr"), r.Text)
	}
	if !strings.Contains(r.Subject, "Nous avons reçu votre demande") || !strings.Contains(r.HTML, `lang="fr"`) {
		t.Errorf("not in French: %q\n%s", r.Subject, r.HTML)
	}
	d := sample()
	d.Tickets = []TicketLine{{Ticket: 1, Token: "[Soporte #1]", Subject: "S", Status: "new", Tier: 1}}
	if r, err := s.Render("fr", StatusReply, d); err != nil || !strings.Contains(r.Text, "nouveau") {
		t.Errorf("status not in the language's words (%v):\n%s", err, r.Text)
	}
	if en, _ := s.Render("en", Ack, sample()); !strings.HasPrefix(en.Text, "## Please reply above this line ##\n") {
		t.Errorf("English changed:\n%s", en.Text)
	}

	if sw := s.StopWords("fr"); len(sw) < minStopWords || sw[0] != "le" || slices.Contains(sw, "the") {
		t.Errorf("French stop words: %v", sw)
	}

	thin := fstest.MapFS{}
	for k, v := range base {
		thin[k] = v
	}
	thin["fr/"+stopWordsFile] = &fstest.MapFile{Data: []byte("# too few\nle la les\n")}
	if _, err := newSet(thin, "", false); err == nil || !strings.Contains(err.Error(), "fr/stopwords.txt") {
		t.Errorf("a language with three stop words: %v", err)
	}
	delete(thin, "fr/"+stopWordsFile)
	if _, err := newSet(thin, "", false); err == nil || !strings.Contains(err.Error(), "fr/stopwords.txt") {
		t.Errorf("a language without stop words: %v", err)
	}

	delete(base, "fr/csat.html")
	if _, err := newSet(base, "", false); err == nil || !strings.Contains(err.Error(), "fr/csat.html") {
		t.Errorf("a language without csat.html: %v", err)
	}
}

// frenchStopWords is the third language's list in the test.
const frenchStopWords = `# mots fréquents
le la les un une des du de et ou mais que qui ne pas est sont était je tu il elle nous vous ils elles
mon ma mes ton ta tes son sa ses notre votre leur ce cette ces ici là quand comment pourquoi où
avec pour par dans sur sous sans très plus moins aussi encore déjà toujours jamais rien tout tous
bonjour merci cordialement imprimante mot passe compte accès ordinateur écran réseau fichier dossier
`
