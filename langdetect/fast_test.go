package langdetect

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// TestFoldIntoMatchesFold: the table fold is the transform chain's, for
// every Latin letter alone and for random words mixing them with ASCII
// letters and apostrophes; words with other runes are left to fold.
func TestFoldIntoMatchesFold(t *testing.T) {
	var letters []rune
	for r := rune(0); r < 0x300; r++ {
		if unicode.IsLetter(r) {
			letters = append(letters, unicode.ToLower(r))
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	words := []string{"contraseña", "não", "über", "ǅemal", "ŉ", "k"}
	for _, r := range letters {
		words = append(words, string(r))
	}
	for range 20000 {
		var b strings.Builder
		for range 1 + rnd.IntN(8) {
			switch rnd.IntN(6) {
			case 0:
				b.WriteByte(byte('a' + rnd.IntN(26)))
			case 1:
				b.WriteByte('\'')
			default:
				b.WriteRune(letters[rnd.IntN(len(letters))])
			}
		}
		words = append(words, b.String())
	}
	for _, w := range append(words, "日本語", "e\u0301l", "ﬁ", "Å", "\u212b") {
		if got, want := fold(w), foldChain(w); got != want {
			t.Errorf("%q: fold %q, the transform chain %q", w, got, want)
		}
	}
	for _, w := range words {
		got, ok := foldInto(nil, []byte(w))
		if !ok {
			if strings.IndexFunc(w, func(r rune) bool { return r >= foldTableSize }) < 0 {
				t.Errorf("%q: not folded from the table", w)
			}
			continue
		}
		if want := foldChain(w); string(got) != want {
			t.Errorf("%q: folded %q, the transform chain says %q", w, got, want)
		}
	}
}

// foldChain is fold as it was: one transform chain.
func foldChain(w string) string {
	s, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), w)
	if err != nil {
		return w
	}
	return s
}

// detectReference is Detect as it was before it scored words in place:
// Words, then fold on every word not known as written.
func (d *Detector) detectReference(text string) Guess {
	scores := make([]float64, len(d.langs))
	for _, w := range Words(text) {
		langs, ok := d.exact[w]
		if !ok {
			langs = d.folded[foldChain(w)]
		}
		for _, i := range langs {
			scores[i] += 1 / float64(len(langs))
		}
	}
	return d.guess(scores)
}

// TestDetectMatchesReference: the same guesses, confidence and scores as
// the word-list implementation, on texts mixing the languages' words,
// accents, apostrophes, punctuation and other scripts, and on a text past
// maxWords.
func TestDetectMatchesReference(t *testing.T) {
	lists := map[string][]string{
		"es": {"el", "la", "de", "que", "no", "contraseña", "por", "favor", "días", "está", "también", "a"},
		"en": {"the", "and", "don't", "is", "of", "no", "a", "password", "please", "it's"},
		"pt": {"não", "de", "que", "você", "obrigado", "senha", "a", "está"},
	}
	d := New(lists, DefaultRule)
	var vocab []string
	for _, ws := range lists {
		vocab = append(vocab, ws...)
	}
	vocab = append(vocab, "CONTRASENA", "Nao", "voce", "DÍAS", "Über", "日本語", "ǅemal", "x'", "'y", "it’s", "’", "''", "3rd", "e\u0301l", "ﬁ")
	seps := []string{" ", ", ", ".\n", "'", "’", "-", "¿", " 42 ", "\t", "\u00a0"}
	rnd := rand.New(rand.NewPCG(3, 4))
	texts := []string{"", " ", "'", "Hola, ¿no está la contraseña?", strings.Repeat("the password de la ", 300)}
	for range 3000 {
		var b strings.Builder
		for range rnd.IntN(30) {
			b.WriteString(vocab[rnd.IntN(len(vocab))])
			b.WriteString(seps[rnd.IntN(len(seps))])
		}
		texts = append(texts, b.String())
	}
	for i, text := range texts {
		if got, want := d.Detect(text), d.detectReference(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ngot  %+v\nwant %+v", text, got, want)
		}
		// Several texts are one, joined by line breaks (a subject and a
		// body), past maxWords too.
		other := texts[(i*7+1)%len(texts)]
		if got, want := d.Detect(other, text, other), d.detectReference(other+"\n"+text+"\n"+other); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q, %q, %q:\ngot  %+v\nwant %+v", other, text, other, got, want)
		}
	}
}
